// @quant/enrich: how a (symbol, interval) series becomes enriched bar documents, the one definition that the stream
// processor, the batch processor, the API's test data and the benchmarks share. Pure: no Kafka, MongoDB or S3.

export {
  allowedLatenessMs,
  ROLLUP_INTERVALS,
  type RollupStateJSON,
  type RollupWindow,
  rollupHistory,
  rollupSourceInterval,
  rollupTargets,
  SeriesRollups,
  windowOf,
} from "./rollup.ts";
export {
  type EnrichedSeries,
  enrichSeries,
  indicatorOptionsFor,
  newIndicators,
  orderSeries,
} from "./series.ts";
