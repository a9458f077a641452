// Wiring: MongoDB + Kafka clients from core, the consumer group loop around StreamProcessor, and an orderly stop.
import { connectMongo, createKafkaBus, ensureIndexes, type Logger } from "@quant/core";
import type { StreamConfig } from "./config.ts";
import { StreamProcessor, type StreamProcessorDeps } from "./processor.ts";

export interface RunningStreamProcessor {
  processor: StreamProcessor;
  /** Stops fetching, lets the batch in flight finish (write + commit), leaves the group, disconnects. */
  stop(): Promise<void>;
}

export async function startStreamProcessor(
  config: StreamConfig,
  logger: Logger,
  hooks: Pick<StreamProcessorDeps, "onStep" | "onBatch" | "now" | "collectLatencies"> = {},
): Promise<RunningStreamProcessor> {
  const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
  const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-stream` }, logger);
  try {
    await ensureIndexes(mongo.db);
    await bus.connect();
    const producer = await bus.producer({ idempotent: true });
    const processor = new StreamProcessor({
      db: mongo.db,
      producer,
      deadLetterTopic: config.STREAM_DEAD_LETTER_TOPIC,
      upsert: { opsPerCommand: config.STREAM_BULK_OPS_PER_COMMAND, insertFirst: (await mongo.health()).ferretdb },
      logger,
      ...hooks,
    });
    const consumer = await bus.consumer({
      groupId: config.STREAM_GROUP_ID,
      sessionTimeoutMs: config.STREAM_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: config.STREAM_REBALANCE_TIMEOUT_MS,
      maxBytesPerPartition: config.STREAM_MAX_BYTES_PER_PARTITION,
      partitionsConcurrently: config.STREAM_PARTITIONS_CONCURRENCY,
    });
    consumer.onGroupJoin((assigned) => processor.onAssignment(assigned));
    await consumer.subscribe(config.STREAM_TOPICS, { fromBeginning: config.STREAM_FROM_BEGINNING });
    await consumer.runBatches(async (batch, control) => {
      await processor.handleBatch(batch, control);
    });
    logger.info({ topics: config.STREAM_TOPICS, group: config.STREAM_GROUP_ID }, "stream processor running");
    let stopped: Promise<void> | undefined;
    return {
      processor,
      stop() {
        stopped ??= (async () => {
          await consumer.stop();
          await consumer.disconnect();
          await bus.close();
          await mongo.close();
          logger.info("stream processor stopped");
        })();
        return stopped;
      },
    };
  } catch (err) {
    await bus.close().catch(() => {});
    await mongo.close().catch(() => {});
    throw err;
  }
}
