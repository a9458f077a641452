// The MongoDB collection layout of enriched bars, indicator checkpoints and cross-asset series: names, index specs
// and ensureIndexes(), in one place for the processors, the API and the benchmarks.
//
// Bars are split by interval so that a TTL can expire intraday bars without touching daily history:
//   bars_intraday  1m, 5m, 15m, 1h   (TTL on ts optional: `pnpm indexes --add-ttl --ttl-days N`)
//   bars_daily     1d                 (kept forever)
//   bars_rollup    5m, 1h, 1d built by the stream processor from the finest scraped interval of a symbol
//                  (source `rollup`; apart so that a rollup never overwrites a scraped bar of the same id)
// All share one document shape (BarDocument); _id is the bar id `SYMBOL|interval|ts`.
//   quality        one document per (series, trading date): counts of the quality checks and a score
// Trade candles (candles.ts): candles (closed, every width), candles_forming (one per symbol and width), and
// candle_state (the candle aggregator's window state per input partition).
import type { Collection, CreateIndexesOptions, Db, IndexSpecification } from "mongodb";
import type { Interval } from "../domain/market.ts";
import type { BarDocument } from "./bars.ts";
import type { CheckpointDocument } from "./checkpoints.ts";
import type { CrossAssetDocument } from "./cross-asset.ts";
import type { QualityDayDocument } from "./quality.ts";

export const COLLECTIONS = {
  barsIntraday: "bars_intraday",
  barsDaily: "bars_daily",
  barsRollup: "bars_rollup",
  indicatorState: "indicator_state",
  crossAsset: "cross_asset",
  quality: "quality",
  /** The newest document of each bar series, kept by the writers (latest.ts). */
  latestBars: "latest_bars",
  /** Extent and provenance of each cross-asset series, kept by the cross-asset job (latest.ts). */
  crossAssetSeries: "cross_asset_series",
  /** Trade candles (candles.ts): closed ones, the ones forming now, the candle aggregator's window state. */
  candles: "candles",
  candlesForming: "candles_forming",
  candleState: "candle_state",
} as const;

export type BarsCollectionName = typeof COLLECTIONS.barsIntraday | typeof COLLECTIONS.barsDaily;

export const BARS_COLLECTIONS: readonly BarsCollectionName[] = [COLLECTIONS.barsIntraday, COLLECTIONS.barsDaily];

/** Which bars collection holds an interval: daily bars apart, so a TTL never reaches them. */
export function barsCollectionName(interval: Interval): BarsCollectionName {
  return interval === "1d" ? COLLECTIONS.barsDaily : COLLECTIONS.barsIntraday;
}

export function barsCollection(db: Db, interval: Interval): Collection<BarDocument> {
  return db.collection<BarDocument>(barsCollectionName(interval));
}

/**
 * Rollup bars (source `rollup`: 5m, 1h, 1d built from 1m or 5m bars). Their ids may equal a scraped bar's (crypto
 * is scraped at 5m too), hence a collection of their own; no TTL (it holds daily rollups).
 */
export function rollupCollection(db: Db): Collection<BarDocument> {
  return db.collection<BarDocument>(COLLECTIONS.barsRollup);
}

/** The collection of a bar document: rollups apart, scraped bars by interval. */
export function barDocumentCollectionName(d: Pick<BarDocument, "interval" | "source">): string {
  return d.source === "rollup" ? COLLECTIONS.barsRollup : barsCollectionName(d.interval);
}

export function checkpointsCollection(db: Db): Collection<CheckpointDocument> {
  return db.collection<CheckpointDocument>(COLLECTIONS.indicatorState);
}

export function crossAssetCollection(db: Db): Collection<CrossAssetDocument> {
  return db.collection<CrossAssetDocument>(COLLECTIONS.crossAsset);
}

export function qualityCollection(db: Db): Collection<QualityDayDocument> {
  return db.collection<QualityDayDocument>(COLLECTIONS.quality);
}

export interface IndexSpec {
  collection: string;
  name: string;
  key: Record<string, 1 | -1>;
  options: CreateIndexesOptions;
  /** Which canonical queries need it (documentation and `indexes --analyze`). */
  serves: string[];
}

/** The bar key: unique per (symbol, interval, ts); also serves the last N bars and date ranges (prefix + ts). */
const barKeyIndex = (collection: string): IndexSpec => ({
  collection,
  name: "symbol_interval_ts",
  key: { symbol: 1, interval: 1, ts: 1 },
  options: { unique: true },
  serves: ["lastBars", "dateRange"],
});

export const INDEX_SPECS: readonly IndexSpec[] = [
  barKeyIndex(COLLECTIONS.barsIntraday),
  barKeyIndex(COLLECTIONS.barsDaily),
  barKeyIndex(COLLECTIONS.barsRollup),
  {
    // Top movers of a date: equality on tradingDate, ordered by the one-day (log) return, either direction.
    collection: COLLECTIONS.barsDaily,
    name: "tradingDate_logReturn",
    key: { tradingDate: 1, logReturn: -1 },
    options: {},
    serves: ["topMovers"],
  },
  {
    // One document per (series, ts): slope ^TNX-^IRX, correlation BTC-USD/SPY, beta AAPL/SPY…
    collection: COLLECTIONS.crossAsset,
    name: "series_ts",
    key: { series: 1, ts: 1 },
    options: { unique: true },
    serves: ["yieldCurveSlope"],
  },
  {
    // One document per closed candle; a symbol's candles of one width by time (charts, reconcile).
    collection: COLLECTIONS.candles,
    name: "symbol_width_ts",
    key: { symbol: 1, width: 1, ts: 1 },
    options: { unique: true },
    serves: [],
  },
  {
    // One row per (series, trading date); a series' rows over a date range.
    collection: COLLECTIONS.quality,
    name: "symbol_interval_tradingDate",
    key: { symbol: 1, interval: 1, tradingDate: 1 },
    options: { unique: true },
    serves: ["qualitySeries"],
  },
  {
    // The worst series of a date range: equality/range on the date, then the score.
    collection: COLLECTIONS.quality,
    name: "tradingDate_score",
    key: { tradingDate: 1, score: 1 },
    options: {},
    serves: ["qualityWorst"],
  },
];

/** The TTL index on intraday bars (not created by ensureIndexes; FerretDB v1 has no TTL). */
export const INTRADAY_TTL_INDEX = "ts_ttl";

/** Creates every index of INDEX_SPECS (idempotent: createIndex with the same spec is a no-op). */
export async function ensureIndexes(db: Db): Promise<string[]> {
  const created: string[] = [];
  for (const spec of INDEX_SPECS) {
    await db
      .collection(spec.collection)
      .createIndex(spec.key as IndexSpecification, { ...spec.options, name: spec.name });
    created.push(`${spec.collection}.${spec.name}`);
  }
  return created;
}

/**
 * Creates (or changes) the TTL index on intraday bars' ts. MongoDB only: FerretDB v1 answers NotImplemented,
 * which callers detect beforehand through health().ferretdb.
 */
export async function setIntradayTtl(db: Db, ttlDays: number): Promise<"created" | "updated" | "unchanged"> {
  const seconds = Math.round(ttlDays * 86_400);
  const coll = db.collection(COLLECTIONS.barsIntraday);
  const existing = (await coll.indexes().catch(() => [])).find((i) => i.name === INTRADAY_TTL_INDEX);
  if (existing?.expireAfterSeconds === seconds) return "unchanged";
  if (existing) {
    await db.command({
      collMod: COLLECTIONS.barsIntraday,
      index: { name: INTRADAY_TTL_INDEX, expireAfterSeconds: seconds },
    });
    return "updated";
  }
  await coll.createIndex({ ts: 1 }, { name: INTRADAY_TTL_INDEX, expireAfterSeconds: seconds });
  return "created";
}
