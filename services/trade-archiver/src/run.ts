// Wiring: the lake client, the consumer group loop around TradeArchiver, a flush timer, and an orderly stop (the
// batch in flight, every buffered trade written, offsets committed).
import { createKafkaBus, createObjectStore, type Logger, runDrainable, s3ConfigFromEnv } from "@quant/core";
import { type FlushStats, TradeArchiver } from "./archiver.ts";
import type { ArchiverConfig } from "./config.ts";

export interface RunningArchiver {
  archiver: TradeArchiver;
  stop(): Promise<void>;
}

export async function startTradeArchiver(
  config: ArchiverConfig,
  logger: Logger,
  hooks: { onFlush?(stats: FlushStats): void } = {},
): Promise<RunningArchiver> {
  const store = createObjectStore(s3ConfigFromEnv(config), logger);
  await store.ensureBucket();
  const bus = createKafkaBus(
    { brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-trade-archiver` },
    logger,
  );
  try {
    await bus.connect();
    const consumer = await bus.consumer({
      groupId: config.ARCHIVER_GROUP_ID,
      sessionTimeoutMs: config.ARCHIVER_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: config.ARCHIVER_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: config.ARCHIVER_MAX_BYTES_PER_PARTITION,
      partitionsConcurrently: 6,
      // Offsets move only once the trades before them are in the lake.
      autoCommit: false,
    });
    const archiver = new TradeArchiver({
      store,
      commit: (offsets) => consumer.commitOffsets(offsets),
      flushMs: config.ARCHIVER_FLUSH_MS,
      maxRows: config.ARCHIVER_MAX_ROWS,
      logger,
      onFlush: hooks.onFlush,
    });
    consumer.onGroupJoin(() => archiver.onAssignment());
    await consumer.subscribe([config.TRADES_TOPIC], { fromBeginning: config.ARCHIVER_FROM_BEGINNING });
    const loop = await runDrainable(consumer, [config.TRADES_TOPIC], (batch, control) =>
      archiver.handleBatch(batch, control),
    );
    const timer = setInterval(
      () => void archiver.flushDue().catch((err: unknown) => logger.error({ err: String(err) }, "flush failed")),
      Math.min(1_000, config.ARCHIVER_FLUSH_MS),
    );
    logger.info(
      { topic: config.TRADES_TOPIC, group: config.ARCHIVER_GROUP_ID, bucket: config.S3_BUCKET },
      "trade archiver running",
    );
    let stopped: Promise<void> | undefined;
    return {
      archiver,
      stop() {
        stopped ??= (async () => {
          clearInterval(timer);
          // Stop fetching but stay in the group, so that the final commits are this member's.
          await loop.drain();
          await archiver.flushAll();
          await consumer.stop();
          await consumer.disconnect();
          await bus.close();
          await store.close();
          logger.info({ skipped: archiver.skipped }, "trade archiver stopped");
        })();
        return stopped;
      },
    };
  } catch (err) {
    await bus.close().catch(() => {});
    throw err;
  }
}
