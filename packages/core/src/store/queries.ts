// The canonical queries, written once: the API runs these functions, `indexes --analyze` explains them
// (CANONICAL_QUERIES calls the very same functions) and `pnpm bench` times them. Each one is a single find() whose
// filter is an equality prefix of an index of INDEX_SPECS followed by the index's sort key, so MongoDB answers it from
// that index alone (keys examined == documents examined == documents returned). No aggregation: FerretDB v1 has no
// $group accumulators beyond $sum/$count, and "latest bar of every symbol" is one indexed find per series, in
// parallel.
import type { Collection, Db, Document, FindCursor } from "mongodb";
import type { Interval } from "../domain/market.ts";
import type { BarDocument } from "./bars.ts";
import type { CrossAssetDocument } from "./cross-asset.ts";
import type { LatestBarDocument } from "./latest.ts";
import { barsCollection, COLLECTIONS, crossAssetCollection, INDEX_SPECS, rollupCollection } from "./layout.ts";

export interface SeriesKey {
  symbol: string;
  interval: Interval;
  /** Scraped bars (bars_intraday / bars_daily, the default) or bars the stream processor rolled up (bars_rollup). */
  source?: "scraped" | "rollup";
}

/** The collection of a series: rollups apart (their ids can equal a scraped bar's), scraped bars by interval. */
export function seriesCollection(db: Db, s: SeriesKey): Collection<BarDocument> {
  return s.source === "rollup" ? rollupCollection(db) : barsCollection(db, s.interval);
}

/** Latest bar of one series: index symbol_interval_ts, walked backwards, one key. */
export function latestBarCursor(db: Db, s: SeriesKey): FindCursor<BarDocument> {
  return seriesCollection(db, s).find({ symbol: s.symbol, interval: s.interval }).sort({ ts: -1 }).limit(1);
}

/** Latest bar of each series, one indexed query per series in parallel (null where the series has no bar). */
export async function latestBars(db: Db, series: readonly SeriesKey[]): Promise<(BarDocument | null)[]> {
  return Promise.all(series.map((s) => latestBarCursor(db, s).next()));
}

/** The last `limit` bars (newest first) of one series, optionally strictly before `before`. */
export function lastBarsCursor(db: Db, s: SeriesKey, limit: number, before?: Date): FindCursor<BarDocument> {
  const filter = before
    ? { symbol: s.symbol, interval: s.interval, ts: { $lt: before } }
    : { symbol: s.symbol, interval: s.interval };
  return seriesCollection(db, s).find(filter).sort({ ts: -1 }).limit(limit);
}

/** Bars of one series with from <= ts < to, oldest first, at most `limit`. */
export function barsRangeCursor(db: Db, s: SeriesKey, from: Date, to: Date, limit: number): FindCursor<BarDocument> {
  return seriesCollection(db, s)
    .find({ symbol: s.symbol, interval: s.interval, ts: { $gte: from, $lt: to } })
    .sort({ ts: 1 })
    .limit(limit);
}

/**
 * Every series' latest bar, from latest_bars (one document per series, kept by the writers): the whole of a small
 * collection, by design, instead of one indexed query per series over the bar collections.
 */
export function latestBarsCursor(db: Db): FindCursor<LatestBarDocument> {
  return db.collection<LatestBarDocument>(COLLECTIONS.latestBars).find({});
}

/** Every point of a cross-asset series, oldest first (the API caches whole series): index series_ts. */
export function crossAssetSeriesCursor(db: Db, series: string): FindCursor<CrossAssetDocument> {
  return crossAssetCollection(db).find({ series }).sort({ ts: 1 });
}

/** A cross-asset series (slope, correlation, beta) with from <= ts < to: index series_ts. */
export function crossAssetCursor(
  db: Db,
  series: string,
  from: Date,
  to: Date,
  limit: number,
): FindCursor<CrossAssetDocument> {
  return crossAssetCollection(db)
    .find({ series, ts: { $gte: from, $lt: to } })
    .sort({ ts: 1 })
    .limit(limit);
}

/**
 * Top movers of a trading date by one-day return, from the precomputed `logReturn` of the daily bar (the log of
 * close/previous close: same order as the simple return, so no extra field is needed): index tradingDate_logReturn
 * (equality on the date, then the index order). `direction` -1: gainers, 1: losers.
 */
export function topMoversCursor(db: Db, date: string, limit: number, direction: 1 | -1 = -1): FindCursor<BarDocument> {
  return barsCollection(db, "1d")
    .find({ tradingDate: date, logReturn: { $ne: null } })
    .sort({ logReturn: direction })
    .limit(limit);
}

export interface CanonicalQueryArgs extends SeriesKey {
  from: Date;
  to: Date;
  /** Most documents of the range queries (the API's API_MAX_BARS). */
  limit: number;
  /** Trading date of the movers query. */
  date: string;
  /** Cross-asset series of the slope query, e.g. `slope:^TNX-^IRX|1d`. */
  series: string;
}

export interface CanonicalQuery {
  name: "latestBars" | "lastBars" | "dateRange" | "yieldCurveSlope" | "topMovers";
  cursor(db: Db, a: CanonicalQueryArgs): FindCursor<Document>;
  /** Set when the query reads its whole (small) collection by design: why no index is expected. */
  scan?: string;
}

/**
 * The queries the API runs against MongoDB, as `indexes --analyze` explains them: the very functions the API calls,
 * with sample arguments.
 */
export const CANONICAL_QUERIES: readonly CanonicalQuery[] = [
  {
    name: "latestBars",
    cursor: (db) => latestBarsCursor(db),
    scan: "latest_bars holds one document per series",
  },
  { name: "lastBars", cursor: (db, a) => lastBarsCursor(db, a, a.limit) },
  { name: "dateRange", cursor: (db, a) => barsRangeCursor(db, a, a.from, a.to, a.limit) },
  { name: "yieldCurveSlope", cursor: (db, a) => crossAssetSeriesCursor(db, a.series) },
  { name: "topMovers", cursor: (db, a) => topMoversCursor(db, a.date, 10) },
];

export interface PlanAnalysis {
  server: "mongodb" | "ferretdb";
  /** Index names the plan uses (MongoDB: IXSCAN stages; FerretDB: SQLite `USING INDEX` lines). */
  indexes: string[];
  /** True when the plan reads the whole collection (COLLSCAN / SQLite SCAN without index). */
  collectionScan: boolean;
  /** The plan's lines, as the server gave them, for the report. */
  summary: string[];
}

/** Reads an explain document in whichever shape the server gives (MongoDB queryPlanner, or FerretDB's SQLite plan). */
export function analyzeExplain(explain: Document): PlanAnalysis {
  const qp = (explain.queryPlanner ?? {}) as Document;
  if (Array.isArray(qp.Plan) || "ferretdbVersion" in ((explain.serverInfo ?? {}) as Document)) {
    const lines = (Array.isArray(qp.Plan) ? qp.Plan : []).map(String);
    const indexes = lines.flatMap((l) => /USING (?:COVERING )?INDEX (\S+)/.exec(l)?.[1] ?? []);
    const pushdown = ["filterPushdown", "sortPushdown", "limitPushdown"].map((k) => `${k}=${String(explain[k])}`);
    return {
      server: "ferretdb",
      indexes,
      collectionScan: lines.some((l) => /\bSCAN\b/.test(l) && !/USING/.test(l)),
      summary: [...lines, pushdown.join(" ")],
    };
  }
  const indexes: string[] = [];
  const stages: string[] = [];
  let collectionScan = false;
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    const n = node as Document;
    if (typeof n.stage === "string") {
      stages.push(n.indexName ? `${n.stage}(${n.indexName})` : n.stage);
      if (n.stage === "COLLSCAN") collectionScan = true;
      if (typeof n.indexName === "string") indexes.push(n.indexName);
    }
    for (const v of Object.values(n)) if (v && typeof v === "object") walk(v);
  };
  walk(qp.winningPlan);
  return { server: "mongodb", indexes, collectionScan, summary: [stages.join(" <- ")] };
}

/** The index each canonical query is expected to use. */
export function expectedIndexOf(query: CanonicalQuery["name"]): string | undefined {
  return INDEX_SPECS.find((s) => s.serves.includes(query))?.name;
}

export interface QueryStats {
  server: "mongodb" | "ferretdb";
  indexes: string[];
  collectionScan: boolean;
  /** MongoDB executionStats; null where the server does not report it (FerretDB v1). */
  keysExamined: number | null;
  docsExamined: number | null;
  returned: number | null;
  /** FerretDB: whether the filter/sort/limit reached SQLite. */
  pushdown: { filter: boolean; sort: boolean; limit: boolean } | null;
  plan: string[];
}

/** Explains a cursor with executionStats where the server has them. */
export async function explainCursor(cursor: FindCursor<Document>): Promise<QueryStats> {
  const ex = await cursor.explain("executionStats");
  const plan = analyzeExplain(ex);
  // FerretDB v1 on PostgreSQL: queryPlanner.Plan is a PostgreSQL JSON plan (one object), not SQLite lines.
  const pgPlan = (ex.queryPlanner as Document | undefined)?.Plan;
  if (plan.server === "ferretdb" && pgPlan && !Array.isArray(pgPlan) && typeof pgPlan === "object") {
    const nodes: string[] = [];
    const walk = (n: Document): void => {
      const idx = typeof n["Index Name"] === "string" ? n["Index Name"] : null;
      nodes.push(idx ? `${n["Node Type"]}(${idx})` : String(n["Node Type"]));
      if (idx) plan.indexes.push(idx);
      if (n["Node Type"] === "Seq Scan") plan.collectionScan = true;
      for (const c of (n.Plans ?? []) as Document[]) walk(c);
    };
    walk(pgPlan as Document);
    plan.summary.unshift(`postgresql: ${nodes.join(" <- ")}`);
  }
  const es = (ex.executionStats ?? null) as Document | null;
  const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
  return {
    server: plan.server,
    indexes: plan.indexes,
    collectionScan: plan.collectionScan,
    keysExamined: num(es?.totalKeysExamined),
    docsExamined: num(es?.totalDocsExamined),
    returned: num(es?.nReturned),
    pushdown:
      plan.server === "ferretdb"
        ? {
            filter: ex.filterPushdown === true,
            sort: ex.sortPushdown === true,
            limit: ex.limitPushdown === true,
          }
        : null,
    plan: plan.summary,
  };
}
