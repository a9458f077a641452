// The batch computation: every series of the request from its origin in the lake, through the stream's enrichment
// (same BarIndicators options, same document builder), keeping the documents whose trading date is in range.
import type { BarDocument, Logger, ObjectStore } from "@quant/core";
import { enrichSeries, orderSeries, rollupHistory } from "@quant/stream-processor";
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
  rejected: number;
}

export async function* computeRange(
  store: ObjectStore,
  req: RangeRequest,
  opts: { logger: Logger; progress?: (total: number) => Progress; processedTs?: Date },
): AsyncGenerator<SeriesResult> {
  const requests = splitRequest(req);
  const series = (await Promise.all(requests.map((r) => listLakeSeries(store, r)))).flatMap((list, i) =>
    list.map((s) => ({ s, req: requests[i]! })),
  );
  const progress = opts.progress?.(series.length);
  const processedTs = opts.processedTs ?? new Date();
  for (const { s, req } of series) {
    const bars = readSeriesBars(store, s);
    const enriched = enrichSeries(await bars, processedTs);
    for (const r of enriched.rejected)
      opts.logger.warn(
        { id: r.bar.id, reason: r.reason },
        "bar refused by the indicators (the stream dead-letters it)",
      );
    const inRange = (d: BarDocument) => d.tradingDate >= req.from && d.tradingDate <= req.to;
    const docs = enriched.docs.filter(inRange);
    // Rollups from the accepted bars, as the stream folds only those into the series and its windows.
    const accepted = new Set(enriched.docs.map((d) => d._id));
    const source = (await bars).filter((b) => accepted.has(b.id));
    const rollups = rollupHistory(orderSeries(source), processedTs).docs.filter(inRange);
    progress?.tick(`${s.symbol} ${s.interval}`);
    yield { series: s, from: req.from, to: req.to, docs, rollups, rejected: enriched.rejected.length };
  }
  progress?.done();
}
