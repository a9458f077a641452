// `reconcile`: what the stream wrote vs what the batch computes from the lake, field by field.
import {
  type BarDocument,
  barDocumentDifferences,
  barsCollection,
  type Interval,
  type Logger,
  type MongoHandle,
  type ObjectStore,
  qualityCollection,
  qualityDayDifferences,
  rollupCollection,
} from "@quant/core";
import { rollupTargets } from "@quant/enrich";
import type { RangeRequest } from "./args.ts";
import { computeRange, storedConflicts } from "./compute.ts";
import type { Progress } from "./progress.ts";

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

export async function runReconcile(
  req: RangeRequest,
  deps: { store: ObjectStore; mongo: MongoHandle; logger: Logger; progress?: (total: number) => Progress },
): Promise<ReconcileReport> {
  const report: ReconcileReport = { series: 0, compared: 0, differences: [], perSeries: [] };
  for await (const r of computeRange(deps.store, req, { ...deps, conflicts: storedConflicts(deps.mongo.db) })) {
    report.series++;
    const before = { compared: report.compared, differences: report.differences.length };
    const range = { tradingDate: { $gte: r.from, $lte: r.to } };
    const stored = await barsCollection(deps.mongo.db, r.series.interval)
      .find({ symbol: r.series.symbol, interval: r.series.interval, ...range })
      .toArray();
    compareSide(report, stored, r.docs, "", barDocumentDifferences);
    // Rollups (bars_rollup) of a rollup source series: every rollup interval of the symbol.
    const intervals = rollupTargets(r.series.assetClass, r.series.interval);
    const storedRollups =
      intervals.length === 0
        ? []
        : await rollupCollection(deps.mongo.db)
            .find({ symbol: r.series.symbol, interval: { $in: intervals }, ...range })
            .toArray();
    compareSide(report, storedRollups, r.rollups, "rollup:", barDocumentDifferences);
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
  return report;
}

type FieldDifferences<T> = (stored: T, batch: T) => { field: string; stored: unknown; computed: unknown }[];

/**
 * Compares stored documents with the batch's, field by field; ids prefixed in the report (`rollup:` for bars_rollup,
 * `quality:` for quality rows), a document on one side only reported as `document`.
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
