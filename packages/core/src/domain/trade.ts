// The trade message v1: one trade (a print) at every border — the `trades` topic, the trade lake, the candle
// aggregator. Times are epoch milliseconds (UTC), as the venues send them: a trade stream is high-volume and
// millisecond-native, and a number is cheaper to check than an ISO string at hundreds of thousands per second.
import { z } from "zod";

/** Where a trade came from: the generator (never real data), or Finnhub's live WebSocket. */
export const TradeSource = z.enum(["synthetic", "finnhub"]);
export type TradeSource = z.infer<typeof TradeSource>;

/** Asset classes that trade (Treasury yields are indices: no trades). */
export const TradeAssetClass = z.enum(["crypto", "equity"]);
export type TradeAssetClass = z.infer<typeof TradeAssetClass>;

/** Beyond these a price or a size is a unit or parsing error, not a market event. */
export const TRADE_LIMITS = {
  maxPrice: 1e9,
  maxSize: 1e12,
  /** Epoch ms: 2000-01-01 .. 2100-01-01. */
  minTs: 946_684_800_000,
  maxTs: 4_102_444_800_000,
  maxConditions: 16,
} as const;

const epochMs = z
  .number()
  .int("expected an integer (epoch milliseconds)")
  .min(TRADE_LIMITS.minTs, "expected epoch milliseconds after 2000-01-01")
  .max(TRADE_LIMITS.maxTs, "expected epoch milliseconds before 2100-01-01");

// zod 4 numbers refuse NaN and ±Infinity already.
const positive = (max: number) => z.number().gt(0, "expected a number > 0").max(max, `expected at most ${max}`);

export const TradeV1 = z.strictObject({
  v: z.literal(1),
  /** The pipeline's symbol (the topic key): `BTC-USD`, `AAPL`, `BINANCE:BTCUSDT`. */
  symbol: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[^\s|/]+$/, "expected a symbol without spaces, '|' or '/'"),
  assetClass: TradeAssetClass,
  /** Venue, e.g. BINANCE, US; SYNTHETIC for generated trades. */
  exchange: z.string().min(1).max(32),
  /** Quote currency of `price`. */
  currency: z.string().min(1).max(8),
  /** Event time: when the trade happened at the venue, epoch ms. */
  ts: epochMs,
  /** When the pipeline received it (the source's clock), epoch ms. */
  ingestTs: epochMs,
  price: positive(TRADE_LIMITS.maxPrice),
  size: positive(TRADE_LIMITS.maxSize),
  /** The venue's trade id, or one the source assigns: unique per symbol; a re-sent trade repeats it. */
  id: z.string().min(1).max(64),
  /** Venue trade-condition codes (Finnhub `c`), empty when none. */
  conditions: z.array(z.string().max(16)).max(TRADE_LIMITS.maxConditions).default([]),
  source: TradeSource,
});

export type Trade = z.infer<typeof TradeV1>;
export type TradeInput = z.input<typeof TradeV1>;

const FIELD_COUNT = Object.keys(TradeV1.shape).length;
const SOURCES: readonly string[] = TradeSource.options;
const ASSET_CLASSES: readonly string[] = TradeAssetClass.options;
const SYMBOL_CHARS = /^[^\s|/]+$/;

const isEpochMs = (x: unknown): x is number =>
  typeof x === "number" && Number.isInteger(x) && x >= TRADE_LIMITS.minTs && x <= TRADE_LIMITS.maxTs;
const isPositive = (x: unknown, max: number): x is number =>
  typeof x === "number" && Number.isFinite(x) && x > 0 && x <= max;
const isText = (x: unknown, max: number): x is string => typeof x === "string" && x.length >= 1 && x.length <= max;

/**
 * The hot path's check: true exactly when TradeV1 accepts the value with `conditions` present (the form every
 * source writes) and no unknown key. The decoder calls this per message and falls back to zod (for the reason)
 * only when it says no; a unit test holds the two to the same verdicts over valid and broken trades.
 */
export function isTradeV1(o: unknown): o is Trade {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return false;
  const t = o as Record<string, unknown>;
  if (
    !(
      t.v === 1 &&
      isText(t.symbol, 32) &&
      SYMBOL_CHARS.test(t.symbol) &&
      typeof t.assetClass === "string" &&
      ASSET_CLASSES.includes(t.assetClass) &&
      isText(t.exchange, 32) &&
      isText(t.currency, 8) &&
      isEpochMs(t.ts) &&
      isEpochMs(t.ingestTs) &&
      isPositive(t.price, TRADE_LIMITS.maxPrice) &&
      isPositive(t.size, TRADE_LIMITS.maxSize) &&
      isText(t.id, 64) &&
      typeof t.source === "string" &&
      SOURCES.includes(t.source)
    )
  )
    return false;
  const c = t.conditions;
  if (!Array.isArray(c) || c.length > TRADE_LIMITS.maxConditions) return false;
  for (const x of c) if (typeof x !== "string" || x.length > 16) return false;
  // Every known field was checked present above: as many keys as fields means no unknown key.
  let keys = 0;
  for (const _ in t) keys++;
  return keys === FIELD_COUNT;
}

export class InvalidTradeError extends Error {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(`invalid trade: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "InvalidTradeError";
    this.issues = issues;
  }
}

/** Validates an unknown value as a trade v1 (unknown keys refused); throws InvalidTradeError naming each field. */
export function parseTrade(value: unknown): Trade {
  if (isTradeV1(value)) return value;
  const r = TradeV1.safeParse(value);
  if (r.success) return r.data;
  throw new InvalidTradeError(r.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message })));
}

/** Builds a validated trade (v added, conditions defaulted). */
export function makeTrade(fields: Omit<TradeInput, "v">): Trade {
  return parseTrade({ v: 1, conditions: [], ...fields });
}
