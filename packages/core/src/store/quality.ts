// The `quality` collection: one document per (series, trading date) with the counts of the quality checks and a
// score, written by the stream processor (with its checkpoints) and the batch processor, read by the API and
// `pnpm quality`. The flags themselves live on the bar documents (`quality`). Rows are written whole (replaceById).
import type { Db, Filter, FindCursor } from "mongodb";
import type { AssetClass, Interval } from "../domain/market.ts";
import { addDayCounts, emptyDayCounts, type QualityDayCounts, qualityScore } from "../domain/quality.ts";
import { qualityCollection } from "./layout.ts";

export interface QualityDayDocument extends QualityDayCounts {
  /** `SYMBOL|interval|tradingDate`. */
  _id: string;
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
  tradingDate: string;
  /** qualityScore of the counts. */
  score: number;
  /** Open time of the day's last bar (null for a day with none: every expected bar missing). */
  lastTs: Date | null;
  /** When this row was computed (left out of comparisons). */
  processedTs: Date;
}

export function qualityDayId(symbol: string, interval: Interval, tradingDate: string): string {
  return `${symbol}|${interval}|${tradingDate}`;
}

/** Fields compared by reconcile and the tests (processedTs excluded). */
export const QUALITY_DAY_COMPARED_FIELDS = [
  "symbol",
  "assetClass",
  "interval",
  "tradingDate",
  "expected",
  "bars",
  "missing",
  "gaps",
  "flagged",
  "staleRuns",
  "flags",
  "score",
  "lastTs",
] as const;

const comparable = (v: unknown): string => JSON.stringify(v instanceof Date ? v.toISOString() : (v ?? null));

/** The fields where two rows of the same id differ. */
export function qualityDayDifferences(
  stored: QualityDayDocument,
  computed: QualityDayDocument,
): { field: string; stored: unknown; computed: unknown }[] {
  const out: { field: string; stored: unknown; computed: unknown }[] = [];
  for (const f of QUALITY_DAY_COMPARED_FIELDS) {
    const a = comparable(stored[f]);
    const b = comparable(computed[f]);
    if (a !== b) out.push({ field: f, stored: JSON.parse(a), computed: JSON.parse(b) });
  }
  return out;
}

/** The computed rows that are missing from `stored` or differ from their stored form (what a recomputation writes). */
export function changedQualityRows(
  computed: readonly QualityDayDocument[],
  stored: Iterable<QualityDayDocument>,
): QualityDayDocument[] {
  const byId = new Map<string, QualityDayDocument>();
  for (const r of stored) byId.set(r._id, r);
  return computed.filter((r) => {
    const old = byId.get(r._id);
    return !old || qualityDayDifferences(old, r).length > 0;
  });
}

export interface QualityRowsFilter {
  /** Trading dates, both included. */
  from: string;
  to: string;
  /** null: every symbol. */
  symbols?: readonly string[] | null;
}

/** The rows of a date range (index tradingDate_score: a range on the date), optionally for some symbols. */
export function qualityRows(db: Db, f: QualityRowsFilter): FindCursor<QualityDayDocument> {
  const filter: Filter<QualityDayDocument> = { tradingDate: { $gte: f.from, $lte: f.to } };
  if (f.symbols && f.symbols.length > 0) filter.symbol = { $in: [...f.symbols] };
  return qualityCollection(db).find(filter);
}

/** The latest trading date with a quality row (index tradingDate_score), or null in an empty collection. */
export async function latestQualityDate(db: Db): Promise<string | null> {
  const [row] = await qualityCollection(db)
    .find({}, { projection: { tradingDate: 1 } })
    .sort({ tradingDate: -1 })
    .limit(1)
    .toArray();
  return row?.tradingDate ?? null;
}

/** One series over a range of days: its rows' counts added up, and the score of the sums. */
export interface QualitySeriesSummary extends QualityDayCounts {
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
  /** Days with a row. */
  days: number;
  from: string;
  to: string;
  score: number;
  /** The worst day's score and date. */
  worstDay: { tradingDate: string; score: number };
  lastTs: Date | null;
}

/** Rows -> one summary per series, worst score first (then by symbol and interval). */
export function summarizeQualityRows(rows: readonly QualityDayDocument[]): QualitySeriesSummary[] {
  const bySeries = new Map<string, QualitySeriesSummary>();
  for (const r of [...rows].sort((a, b) => a.tradingDate.localeCompare(b.tradingDate))) {
    const key = `${r.symbol}|${r.interval}`;
    let s = bySeries.get(key);
    if (!s) {
      s = {
        symbol: r.symbol,
        assetClass: r.assetClass,
        interval: r.interval,
        days: 0,
        from: r.tradingDate,
        to: r.tradingDate,
        score: 1,
        worstDay: { tradingDate: r.tradingDate, score: r.score },
        lastTs: null,
        ...emptyDayCounts(),
      };
      bySeries.set(key, s);
    }
    addDayCounts(s, r);
    s.days++;
    s.to = r.tradingDate;
    if (r.score < s.worstDay.score) s.worstDay = { tradingDate: r.tradingDate, score: r.score };
    if (r.lastTs && (!s.lastTs || r.lastTs > s.lastTs)) s.lastTs = r.lastTs;
  }
  const out = [...bySeries.values()];
  for (const s of out) s.score = qualityScore(s);
  return out.sort(
    (a, b) => a.score - b.score || a.symbol.localeCompare(b.symbol) || a.interval.localeCompare(b.interval),
  );
}
