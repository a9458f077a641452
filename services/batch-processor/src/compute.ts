// The batch computation: every series of the request from its origin in the lake, through the stream's enrichment
// (same BarIndicators options, same document builder), keeping the documents whose trading date is in range.
import type { BarDocument, Logger, ObjectStore } from "@quant/core";
import { enrichSeries } from "@quant/stream-processor";
import type { RangeRequest } from "./args.ts";
import { type LakeSeries, listLakeSeries, readSeriesBars } from "./lake-series.ts";
import type { Progress } from "./progress.ts";

export interface SeriesResult {
  series: LakeSeries;
  docs: BarDocument[];
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
    const enriched = enrichSeries(await readSeriesBars(store, s), processedTs);
    for (const r of enriched.rejected)
      opts.logger.warn(
        { id: r.bar.id, reason: r.reason },
        "bar refused by the indicators (the stream dead-letters it)",
      );
    const docs = enriched.docs.filter((d) => d.tradingDate >= req.from && d.tradingDate <= req.to);
    progress?.tick(`${s.symbol} ${s.interval}`);
    yield { series: s, docs, rejected: enriched.rejected.length };
  }
  progress?.done();
}
