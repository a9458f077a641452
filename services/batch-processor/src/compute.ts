// The batch computation: every series of the request from its origin in the lake, through the stream's enrichment
// (same BarIndicators options, same document builder), keeping the documents whose trading date is in range.
import type { BarDocument, Logger, ObjectStore } from "@quant/core";
import { enrichSeries, orderSeries, rollupHistory } from "@quant/enrich";
import type { RangeRequest } from "./args.ts";
import { type LakeSeries, listLakeSeries, readSeriesBars } from "./lake-series.ts";
import type { Progress } from "./progress.ts";

export interface SeriesResult {
  series: LakeSeries;
  docs: BarDocument[];
  /** Rollup documents (bars_rollup) of a rollup source series (the stream's rollupHistory), else empty. */
  rollups: BarDocument[];
  /** Lake rows refused at the border plus bars the indicators refused: written nowhere, as the stream does. */
  rejected: number;
}

export async function* computeRange(
  store: ObjectStore,
  req: RangeRequest,
  opts: { logger: Logger; progress?: (total: number) => Progress; processedTs?: Date },
): AsyncGenerator<SeriesResult> {
  const series = await listLakeSeries(store, req);
  const progress = opts.progress?.(series.length);
  const processedTs = opts.processedTs ?? new Date();
  for (const s of series) {
    const { bars, refused } = await readSeriesBars(store, s);
    for (const r of refused)
      opts.logger.warn(
        { key: r.key, id: r.id, kind: r.kind, reason: r.reason },
        "lake row refused (the stream dead-letters it)",
      );
    const enriched = enrichSeries(bars, processedTs);
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
    yield { series: s, docs, rollups, rejected: refused.length + enriched.rejected.length };
  }
  progress?.done();
}
