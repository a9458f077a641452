// Wiring: MongoDB and Kafka clients from core, the consumer group loop around CandleProcessor and its writer lane,
// a summary log line every 10 s, and an orderly stop (the batch in flight, every output, every window state).
import { connectMongo, createKafkaBus, ensureIndexes, type Logger, runDrainable } from "@quant/core";
import { candleRules } from "@quant/trades";
import type { AggregatorConfig } from "./config.ts";
import { OutputWriter, type RoundStats } from "./outputs.ts";
import { CandleProcessor, type TradeBatchStats, type TradeCounts, zeroCounts } from "./processor.ts";

export interface AggregatorHooks {
  /** Each time the consumer joins its group (partitions assigned). */
  onJoin?(): void;
  onBatch?(stats: TradeBatchStats): void;
  onRound?(stats: RoundStats): void;
  onForming?(stats: { symbols: number; ms: number }): void;
  /** Arrival-to-visible latencies of applied trades, ms (turns their collection on). */
  onVisible?(latenciesMs: number[]): void;
}

export interface RunningAggregator {
  processor: CandleProcessor;
  /** Stops fetching, lets the batch in flight finish, writes every output and window state, disconnects. */
  stop(): Promise<void>;
}

const SUMMARY_MS = 10_000;

export async function startCandleAggregator(
  config: AggregatorConfig,
  logger: Logger,
  hooks: AggregatorHooks = {},
): Promise<RunningAggregator> {
  const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
  const bus = createKafkaBus(
    { brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-candle-aggregator` },
    logger,
  );
  try {
    await ensureIndexes(mongo.db);
    await bus.connect();
    const producer = await bus.producer({ idempotent: true });
    const consumer = await bus.consumer({
      groupId: config.TRADES_GROUP_ID,
      sessionTimeoutMs: config.TRADES_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: config.TRADES_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: config.TRADES_MAX_BYTES_PER_PARTITION,
      partitionsConcurrently: config.TRADES_PARTITIONS_CONCURRENCY,
      // Offsets are committed with the window state they reflect (outputs.ts), never on their own.
      autoCommit: false,
    });
    const totals = zeroCounts();
    const writer = new OutputWriter({
      db: mongo.db,
      producer,
      deadLetterTopic: config.TRADES_DEAD_LETTER_TOPIC,
      commit: (offsets) => consumer.commitOffsets(offsets),
      logger,
      onVisible: hooks.onVisible,
      onRound: hooks.onRound,
      onForming: hooks.onForming,
    });
    const processor = new CandleProcessor({
      db: mongo.db,
      writer,
      seek: (topic, partition, offset) => consumer.seek(topic, partition, offset),
      aggregator: candleRules(config),
      barTopic: config.TRADES_BAR_TOPIC ?? null,
      checkpointIntervalMs: config.TRADES_CHECKPOINT_INTERVAL_MS,
      forming: config.TRADES_FORMING,
      collectLatencies: hooks.onVisible !== undefined,
      logger,
    });
    consumer.onGroupJoin((assigned) => {
      processor.onAssignment(assigned);
      hooks.onJoin?.();
    });
    await consumer.subscribe([config.TRADES_TOPIC], { fromBeginning: config.TRADES_FROM_BEGINNING });
    const loop = await runDrainable(consumer, [config.TRADES_TOPIC], async (batch, control) => {
      const stats = await processor.handleBatch(batch, control);
      if (!stats) return;
      for (const k of Object.keys(totals) as (keyof TradeCounts)[]) totals[k] += stats[k];
      hooks.onBatch?.(stats);
    });
    // Quiet partitions get their state saved (and offsets committed) too.
    const checkpoints = setInterval(() => processor.tick(), Math.max(config.TRADES_CHECKPOINT_INTERVAL_MS / 2, 100));
    checkpoints.unref();
    const summary = setInterval(() => {
      if (totals.messages > 0) logger.info({ ...totals, pendingBatches: writer.pending }, "trades aggregated");
      Object.assign(totals, zeroCounts());
    }, SUMMARY_MS);
    summary.unref();
    logger.info(
      {
        topic: config.TRADES_TOPIC,
        group: config.TRADES_GROUP_ID,
        widths: config.TRADES_WIDTHS.map((w) => w.label),
        allowedLatenessMs: config.TRADES_ALLOWED_LATENESS_MS,
      },
      "candle aggregator running",
    );
    let stopped: Promise<void> | undefined;
    return {
      processor,
      stop() {
        stopped ??= (async () => {
          clearInterval(summary);
          clearInterval(checkpoints);
          // Stop fetching but stay in the group: the final window states are saved and their offsets committed by
          // this member (kafkajs commits only while the consumer runs).
          await loop.drain();
          const saved = await processor.flush();
          logger.info({ states: saved }, "window states saved");
          await consumer.stop();
          await consumer.disconnect();
          await bus.close();
          await mongo.close();
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
