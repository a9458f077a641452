// `reconcile`: what the stream wrote vs what the batch computes from the lake, field by field.
import {
  type AssetClass,
  type BarDocument,
  barDocumentDifferences,
  barsCollection,
  candleDifferences,
  candlesCollection,
  type Interval,
  qualityCollection,
  qualityDayDifferences,
  rollupCollection,
} from "@quant/core";
import { rollupTargets } from "@quant/enrich";
import { DEFAULT_CANDLE_RULES } from "@quant/trades";
import type { RangeRequest } from "./args.ts";
import type { RangeDeps } from "./batch.ts";
import { computeRange, storedConflicts } from "./compute.ts";
import { computeTradeRange } from "./trades.ts";

export interface Difference {
  id: string;
  /** A field name, `warm.<metric>`, or `document` when one side has no document at all. */
  field: string;
  stream: unknown;
  batch: unknown;
}

/** One reconciled series (its rollups and quality rows counted with it). */
export interface SeriesReconcile {
  symbol: string;
  interval: Interval;
  compared: number;
  differences: number;
}

export interface ReconcileReport {
  series: number;
  compared: number;
  differences: Difference[];
  perSeries: SeriesReconcile[];
}

export function compareDocuments(stream: BarDocument, batch: BarDocument): Difference[] {
  return barDocumentDifferences(stream, batch).map((d) => ({
    id: batch._id,
    field: d.field,
    stream: d.stored,
    batch: d.computed,
  }));
}

export async function runReconcile(req: RangeRequest, deps: RangeDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { series: 0, compared: 0, differences: [], perSeries: [] };
  for await (const r of computeRange(deps.store, req, { ...deps, conflicts: storedConflicts(deps.mongo.db) })) {
    report.series++;
    const before = { compared: report.compared, differences: report.differences.length };
    const range = { tradingDate: { $gte: r.from, $lte: r.to } };
    await compareBarsAndRollups(report, deps.mongo.db, r.series, range, r.docs, r.rollups);
    // Quality rows (the quality collection) of the series' days in range.
    const storedRows = await qualityCollection(deps.mongo.db)
      .find({ symbol: r.series.symbol, interval: r.series.interval, ...range })
      .toArray();
    compareSide(report, storedRows, r.qualityDays, "quality:", qualityDayDifferences);
    report.perSeries.push({
      symbol: r.series.symbol,
      interval: r.series.interval,
      compared: report.compared - before.compared,
      differences: report.differences.length - before.differences,
    });
  }
  // Trade candles (candles, ids `candle:…`), their 1m bars (bars_intraday) and the bars' rollups, from the trade lake.
  const from = new Date(`${req.from}T00:00:00Z`);
  const to = new Date(Date.parse(`${req.to}T00:00:00Z`) + 86_400_000);
  for await (const t of computeTradeRange(deps.store, req, { ...deps, rules: deps.rules ?? DEFAULT_CANDLE_RULES })) {
    report.series++;
    const before = { compared: report.compared, differences: report.differences.length };
    const storedCandles = await candlesCollection(deps.mongo.db)
      .find({ symbol: t.series.symbol, ts: { $gte: from, $lt: to } })
      .toArray();
    compareSide(report, storedCandles, t.candles, "candle:", candleDifferences);
    const range = { tradingDate: { $gte: req.from, $lte: req.to } };
    const bars = { symbol: t.series.symbol, assetClass: t.series.assetClass, interval: "1m" as const };
    await compareBarsAndRollups(report, deps.mongo.db, bars, range, t.bars, t.rollups);
    // Counted under the series' 1m bars, which its candles and rollups come with.
    report.perSeries.push({
      symbol: t.series.symbol,
      interval: "1m",
      compared: report.compared - before.compared,
      differences: report.differences.length - before.differences,
    });
  }
  return report;
}

/**
 * A bar series' stored documents against the batch's, and its rollups (bars_rollup: every rollup interval the series
 * is the source of), over a range of trading dates.
 */
async function compareBarsAndRollups(
  report: ReconcileReport,
  db: RangeDeps["mongo"]["db"],
  series: { symbol: string; assetClass: AssetClass; interval: Interval },
  range: { tradingDate: { $gte: string; $lte: string } },
  docs: BarDocument[],
  rollups: BarDocument[],
): Promise<void> {
  const stored = await barsCollection(db, series.interval)
    .find({ symbol: series.symbol, interval: series.interval, ...range })
    .toArray();
  compareSide(report, stored, docs, "", barDocumentDifferences);
  const intervals = rollupTargets(series.assetClass, series.interval);
  const storedRollups =
    intervals.length === 0
      ? []
      : await rollupCollection(db)
          .find({ symbol: series.symbol, interval: { $in: intervals }, ...range })
          .toArray();
  compareSide(report, storedRollups, rollups, "rollup:", barDocumentDifferences);
}

type FieldDifferences<T> = (stored: T, batch: T) => { field: string; stored: unknown; computed: unknown }[];

/**
 * Compares stored documents with the batch's, field by field; ids prefixed in the report (`rollup:` for bars_rollup,
 * `quality:` for quality rows, `candle:` for candles), a document on one side only reported as `document`.
 */
function compareSide<T extends { _id: string }>(
  report: ReconcileReport,
  stored: T[],
  batch: T[],
  prefix: string,
  differences: FieldDifferences<T>,
): void {
  const byId = new Map(stored.map((d) => [d._id, d]));
  for (const b of batch) {
    const s = byId.get(b._id);
    byId.delete(b._id);
    if (!s) {
      report.differences.push({ id: prefix + b._id, field: "document", stream: null, batch: "present" });
      continue;
    }
    report.compared++;
    for (const d of differences(s, b))
      report.differences.push({ id: prefix + b._id, field: d.field, stream: d.stored, batch: d.computed });
  }
  for (const id of byId.keys())
    report.differences.push({ id: prefix + id, field: "document", stream: "present", batch: null });
}

export function reportLines(r: ReconcileReport, limit = 1_000): string[] {
  const lines = r.differences
    .slice(0, limit)
    .map((d) => `${d.id}  ${d.field}  stream=${JSON.stringify(d.stream)}  batch=${JSON.stringify(d.batch)}`);
  if (r.differences.length > limit) lines.push(`… ${r.differences.length - limit} more`);
  lines.push(`reconcile: ${r.series} series, ${r.compared} documents compared, ${r.differences.length} difference(s)`);
  return lines;
}
