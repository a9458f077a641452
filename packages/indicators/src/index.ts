// @quant/indicators' public surface, listed: every indicator in its streaming and batch form, the metric set, the
// two-series join, the error type and the state types of the checkpoints. The validation helpers (check*, priceFloor)
// and the abstract bases (Lag, ReturnsWindow, PathMetric) stay inside; so do members marked @internal (step, raw).
export {
  Aligned,
  type AlignedOptions,
  type AlignedSeries,
  type AlignedState,
  alignedBatch,
  type Side,
} from "./cross/aligned.ts";
export { Beta, Correl, type PairMetric, type PairState, ReturnCorrelation, runPair, Spread } from "./cross/pair.ts";
export { InvalidInputError, type PriceOptions } from "./errors.ts";
export { periodsPerYear } from "./quant/annualisation.ts";
export {
  Hv,
  hv,
  type ReturnsOptions,
  type ReturnsWindowState,
  Sharpe,
  Sortino,
  sharpe,
  sortino,
} from "./quant/returns-window.ts";
export { CumReturn, cumReturn, Drawdown, drawdown, LogReturn, logReturn, type SimpleState } from "./quant/simple.ts";
export {
  BAR_METRIC_FIELDS,
  type Bar,
  BarIndicators,
  type BarIndicatorsOptions,
  type BarIndicatorsState,
  type BarMetricField,
  type BarMetrics,
  type BarSeries,
  type BarWarm,
  barIndicatorsBatch,
} from "./set/bar-indicators.ts";
export { Ema, type EmaState, ema } from "./trend/ema.ts";
export type { LagState } from "./trend/lag.ts";
export { Macd, type MacdSeries, type MacdState, macd } from "./trend/macd.ts";
export { Mom, mom } from "./trend/mom.ts";
export { Roc, roc } from "./trend/roc.ts";
export { Rsi, type RsiState, rsi } from "./trend/rsi.ts";
export { Sma, type SmaState, sma } from "./trend/sma.ts";
export { Atr, type AtrState, atr } from "./volatility/atr.ts";
export { Bbands, type BbandsSeries, bbands } from "./volatility/bbands.ts";
export { StdDev, type StdDevState, stddev } from "./volatility/stddev.ts";
export { Ad, ad } from "./volume/ad.ts";
export { Obv, type ObvState, obv } from "./volume/obv.ts";
export { exchangeDaySession, type SessionFn, utcDaySession, Vwap, type VwapState, vwap } from "./volume/vwap.ts";
