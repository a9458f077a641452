// The `quality` collection: one document per (series, trading date) with the counts of the quality checks and a
// score, written by the stream processor (with its checkpoints) and the batch processor, read by the API and
// `pnpm quality`. The flags themselves live on the bar documents (`quality`). Rows are written whole (replaceById).
import type { AssetClass, Interval } from "../domain/market.ts";
import type { QualityDayCounts } from "../domain/quality.ts";

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
