// The candle aggregator's configuration from the environment (zod), on the shared parts of @quant/core.
import { booleanFlag, envInt as int, kafkaEnv, logEnv, mongoEnv, TOPICS } from "@quant/core";
import { candleRulesEnv } from "@quant/trades";
import { z } from "zod";

export const aggregatorEnv = {
  ...logEnv,
  ...kafkaEnv,
  ...mongoEnv,
  ...candleRulesEnv,
  TRADES_TOPIC: z.string().min(1).default(TOPICS.trades),
  /** Consumer group: replicas share the partitions (a symbol's trades live in one). */
  TRADES_GROUP_ID: z.string().min(1).default("candle-aggregator"),
  TRADES_DEAD_LETTER_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  /**
   * Where closed 1m candles go as bars v1 (source `trades`); unset: the bar topic of the trade's asset class
   * (crypto_ticks, equities_ticks), where the stream processor enriches them like scraped bars.
   */
  TRADES_BAR_TOPIC: z.string().min(1).optional(),
  /**
   * How often each partition's window state is saved with its offset (ms); offsets are committed only with it. A
   * crash replays at most this much from the saved state, to the same candles.
   */
  TRADES_CHECKPOINT_INTERVAL_MS: int(0, 600_000).default(5_000),
  /** Write the candle forming now per (symbol, width) to candles_forming (the dashboard's live candle). */
  TRADES_FORMING: booleanFlag.default(true),
  TRADES_FROM_BEGINNING: booleanFlag.default(true),
  TRADES_MAX_BYTES_PER_PARTITION: int(1_024, 64 * 1_048_576).default(1_048_576),
  TRADES_PARTITIONS_CONCURRENCY: int(1, 64).default(6),
  TRADES_SESSION_TIMEOUT_MS: int(6_000, 300_000).default(30_000),
  TRADES_SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000).default(30_000),
};

export type AggregatorConfig = z.infer<z.ZodObject<typeof aggregatorEnv>>;
