// The trade feed's configuration from the environment (zod), on the shared parts of @quant/core. The Finnhub
// variables are read only by `trade-feed finnhub` (finnhubEnv): the synthetic feed needs no key.
import { envInt, kafkaEnv, logEnv, TOPICS } from "@quant/core";
import { z } from "zod";

export const feedEnv = {
  ...logEnv,
  ...kafkaEnv,
  /** Where trades go (one trade per message, key = symbol). */
  TRADES_TOPIC: z.string().min(1).default(TOPICS.trades),
  /** Source messages that cannot become a trade (Finnhub messages that are not JSON or not in its format). */
  TRADES_DEAD_LETTER_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  /** A batch of trades goes to Kafka when it is this old (ms) or FEED_MAX_BATCH trades long. */
  FEED_LINGER_MS: envInt(0, 10_000).default(5),
  FEED_MAX_BATCH: envInt(1, 100_000).default(2_000),
  /**
   * Kafka compression of trade messages: none (default: consuming gzip costs the aggregator and the archiver about
   * twice the CPU per trade) or gzip (about a fifth of the bytes on the broker).
   */
  FEED_COMPRESSION: z.enum(["none", "gzip"]).default("none"),
  /** Seed of the synthetic feed (--seed overrides it). */
  SYNTHETIC_SEED: z.coerce.number().int().default(42),
};

/** Finnhub's free plan streams at most 50 symbols per connection. */
export const FINNHUB_MAX_SYMBOLS = 50;

const symbolList = z
  .string()
  .trim()
  .min(1, "expected a comma-separated list of symbols")
  .transform((s, ctx) => {
    const symbols = [
      ...new Set(
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ];
    if (symbols.length > FINNHUB_MAX_SYMBOLS) {
      ctx.addIssue({
        code: "custom",
        message: `Finnhub streams at most ${FINNHUB_MAX_SYMBOLS} symbols per connection, got ${symbols.length}`,
      });
      return z.NEVER;
    }
    const bad = symbols.find((x) => x.length > 32 || /[\s|/]/.test(x));
    if (bad !== undefined) {
      ctx.addIssue({ code: "custom", message: `not a symbol: "${bad}"` });
      return z.NEVER;
    }
    return symbols;
  });

export const finnhubEnv = {
  ...feedEnv,
  FINNHUB_API_KEY: z
    .string({ error: "expected the Finnhub API key (https://finnhub.io/dashboard), got nothing" })
    .min(8),
  /** The WebSocket endpoint (tests point it at a local server playing Finnhub's format). */
  FINNHUB_URL: z
    .url({ error: "expected a ws:// or wss:// URL" })
    .regex(/^wss?:\/\//, "expected a ws:// or wss:// URL")
    .default("wss://ws.finnhub.io"),
  /** US tickers (AAPL) and Finnhub's crypto symbols (BINANCE:BTCUSDT), at most 50. */
  FINNHUB_SYMBOLS: symbolList.default(["AAPL", "MSFT", "BINANCE:BTCUSDT", "BINANCE:ETHUSDT"]),
  /** Reconnect backoff: doubles from MIN to MAX, with jitter. */
  FINNHUB_RECONNECT_MIN_MS: envInt(10, 600_000).default(1_000),
  FINNHUB_RECONNECT_MAX_MS: envInt(10, 3_600_000).default(60_000),
  /** No message (trades or Finnhub's pings) for this long: the connection is taken as dead and replaced. */
  FINNHUB_STALE_MS: envInt(1_000, 600_000).default(60_000),
};

export type FeedConfig = z.infer<z.ZodObject<typeof feedEnv>>;
export type FinnhubConfig = z.infer<z.ZodObject<typeof finnhubEnv>>;
