// The batch computation: every series of the request from its origin in the lake, through the stream's enrichment
// (same BarIndicators options, same quality checks, same document builder), keeping the documents and quality rows
// whose trading date is in range.
import {
  type BarDocument,
  barsCollection,
  type Logger,
  type MongoHandle,
  type ObjectStore,
  type QualityDayDocument,
} from "@quant/core";
import { enrichSeries, orderSeries, rollupHistory } from "@quant/enrich";
import { toQualityDayDocument } from "@quant/quality";
import { type RangeRequest, splitRequest } from "./args.ts";
import { type LakeSeries, listLakeSeries, readSeriesBars } from "./lake-series.ts";
import type { Progress } from "./progress.ts";

export interface SeriesResult {
  series: LakeSeries;
  /** The trading dates this series was computed for (the request's, or its asset class's for --trading-day-before). */
  from: string;
  to: string;
  docs: BarDocument[];
  /** Rollup documents (bars_rollup) of a rollup source series (the stream's rollupHistory), else empty. */
  rollups: BarDocument[];
  /** The series' rows of the `quality` collection in range. */
  qualityDays: QualityDayDocument[];
  /** Lake rows refused at the border plus bars the indicators refused: written nowhere, as the stream does. */
  rejected: number;
}

/** Conflicting versions per bar id of a series, as stored documents record them (0 for the others). */
export type ConflictsOf = (series: LakeSeries) => Promise<Map<string, number>>;

/**
 * The conflicts the stream recorded on stored documents: the lake keeps only the last version of a bar, so the batch
 * takes the count from there (docs/quality.md).
 */
export function storedConflicts(db: MongoHandle["db"]): ConflictsOf {
  return async (s) => {
    const found = await barsCollection(db, s.interval)
      .find({ symbol: s.symbol, interval: s.interval, "quality.conflicts": { $gt: 0 } }, { projection: { quality: 1 } })
      .toArray();
    return new Map(found.map((d) => [d._id, d.quality?.conflicts ?? 0]));
  };
}

export async function* computeRange(
  store: ObjectStore,
  req: RangeRequest,
  opts: { logger: Logger; progress?: (total: number) => Progress; processedTs?: Date; conflicts?: ConflictsOf },
): AsyncGenerator<SeriesResult> {
  const requests = splitRequest(req);
  const series = (await Promise.all(requests.map((r) => listLakeSeries(store, r)))).flatMap((list, i) =>
    list.map((s) => ({ s, req: requests[i]! })),
  );
  const progress = opts.progress?.(series.length);
  const processedTs = opts.processedTs ?? new Date();
  for (const { s, req } of series) {
    const { bars, refused } = await readSeriesBars(store, s);
    for (const r of refused)
      opts.logger.warn(
        { key: r.key, id: r.id, kind: r.kind, reason: r.reason },
        "lake row refused (the stream dead-letters it)",
      );
    const conflicts = (await opts.conflicts?.(s)) ?? new Map<string, number>();
    const enriched = enrichSeries(bars, processedTs, (b) => conflicts.get(b.id) ?? 0);
    for (const r of enriched.rejected)
      opts.logger.warn(
        { id: r.bar.id, reason: r.reason },
        "bar refused by the indicators (the stream dead-letters it)",
      );
    const inRange = (d: BarDocument) => d.tradingDate >= req.from && d.tradingDate <= req.to;
    const docs = enriched.docs.filter(inRange);
    // Rollups from the accepted bars, as the stream folds only those into the series and its windows.
    const accepted = new Set(enriched.docs.map((d) => d._id));
    const source = bars.filter((b) => accepted.has(b.id));
    const rollups = rollupHistory(orderSeries(source), processedTs).docs.filter(inRange);
    progress?.tick(`${s.symbol} ${s.interval}`);
    const qualityDays = (enriched.quality?.days ?? [])
      .filter((d) => d.tradingDate >= req.from && d.tradingDate <= req.to)
      .map((d) => toQualityDayDocument(s, d, processedTs));
    yield {
      series: s,
      from: req.from,
      to: req.to,
      docs,
      rollups,
      qualityDays,
      rejected: refused.length + enriched.rejected.length,
    };
  }
  progress?.done();
}
