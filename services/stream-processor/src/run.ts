// Wiring: MongoDB + Kafka clients from core, the consumer group loop around StreamProcessor, the /metrics server,
// and an orderly stop.
import {
  connectMongo,
  createKafkaBus,
  createMetricsRegistry,
  ensureIndexes,
  type Logger,
  observeStoreWrites,
  type PipelineMetrics,
  startMetricsServer,
} from "@quant/core";
import type { StreamConfig } from "./config.ts";
import { countingProducer, recordBatch } from "./metrics.ts";
import { StreamProcessor, type StreamProcessorDeps } from "./processor.ts";

export interface RunningStreamProcessor {
  processor: StreamProcessor;
  metrics: PipelineMetrics;
  /** Where /metrics is served (METRICS_PORT, or the port picked for 0). */
  metricsPort: number;
  /** Stops fetching, lets the batch in flight finish (write + commit), leaves the group, disconnects. */
  stop(): Promise<void>;
}

export async function startStreamProcessor(
  config: StreamConfig,
  logger: Logger,
  hooks: Pick<StreamProcessorDeps, "onStep" | "onBatch" | "now" | "collectLatencies"> = {},
): Promise<RunningStreamProcessor> {
  const metrics = createMetricsRegistry({ service: "stream-processor" });
  const server = await startMetricsServer(config.METRICS_PORT, metrics.registry).catch((err: Error) => {
    throw new Error(`/metrics on METRICS_PORT ${config.METRICS_PORT}: ${err.message}`);
  });
  const mongo = await connectMongo(
    { uri: config.MONGODB_URI, dbName: config.MONGODB_DB, monitorCommands: true },
    logger,
  ).catch(async (err: unknown) => {
    await server.close();
    throw err;
  });
  observeStoreWrites(mongo.client, metrics.writeSeconds);
  const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-stream` }, logger);
  try {
    await ensureIndexes(mongo.db);
    await bus.connect();
    const producer = countingProducer(metrics, await bus.producer({ idempotent: true }));
    const processor = new StreamProcessor({
      db: mongo.db,
      producer,
      deadLetterTopic: config.STREAM_DEAD_LETTER_TOPIC,
      upsert: { opsPerCommand: config.STREAM_BULK_OPS_PER_COMMAND, insertFirst: (await mongo.health()).ferretdb },
      checkpointIntervalMs: config.STREAM_CHECKPOINT_INTERVAL_MS,
      logger,
      ...hooks,
      // Every message's produce-to-write latency, for the histogram.
      collectLatencies: true,
    });
    const consumer = await bus.consumer({
      groupId: config.STREAM_GROUP_ID,
      sessionTimeoutMs: config.STREAM_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: config.STREAM_REBALANCE_TIMEOUT_MS,
      maxBytesPerPartition: config.STREAM_MAX_BYTES_PER_PARTITION,
      partitionsConcurrently: config.STREAM_PARTITIONS_CONCURRENCY,
    });
    consumer.onGroupJoin((assigned) => {
      processor.onAssignment(assigned);
      // Partitions now owned by another member must not keep this member's last lag.
      metrics.consumerLag.reset();
    });
    await consumer.subscribe(config.STREAM_TOPICS, { fromBeginning: config.STREAM_FROM_BEGINNING });
    await consumer.runBatches(async (batch, control) => {
      const stats = await processor.handleBatch(batch, control);
      if (stats) recordBatch(metrics, config.STREAM_GROUP_ID, batch, stats);
    });
    // A quiet stream still saves what it owes (flushIdle: the quality rows of its last bars go out with checkpoints).
    const idleFlush =
      config.STREAM_CHECKPOINT_INTERVAL_MS > 0
        ? setInterval(() => {
            processor.flushIdle().catch((err) => logger.warn({ err }, "idle checkpoint flush failed"));
          }, config.STREAM_CHECKPOINT_INTERVAL_MS)
        : undefined;
    idleFlush?.unref();
    server.setReady();
    logger.info(
      { topics: config.STREAM_TOPICS, group: config.STREAM_GROUP_ID, metricsPort: server.port },
      "stream processor running",
    );
    let stopped: Promise<void> | undefined;
    return {
      processor,
      metrics,
      metricsPort: server.port,
      stop() {
        stopped ??= (async () => {
          clearInterval(idleFlush);
          await consumer.stop();
          // No batch in flight any more: the state of every series is what its stored documents say.
          const saved = await processor.flushCheckpoints();
          logger.info({ checkpoints: saved }, "checkpoints saved");
          await consumer.disconnect();
          await bus.close();
          await mongo.close();
          await server.close();
          logger.info("stream processor stopped");
        })();
        return stopped;
      },
    };
  } catch (err) {
    await bus.close().catch(() => {});
    await mongo.close().catch(() => {});
    await server.close();
    throw err;
  }
}
