// The parameters of the checks, in one place. They are constants of the code, not environment variables, on
// purpose: the stream and the batch must flag the same bars, so both read them from here (docs/quality.md says
// why each value).

export interface QualityParams {
  /** Previous returns and ranges the outlier tests compare a bar with. */
  window: number;
  /** Values a window needs before its test flags anything. */
  minWindow: number;
  /** A return is an outlier when |r - median| exceeds this many robust standard deviations (1.4826 x MAD). */
  returnZ: number;
  /**
   * Lower bound of that standard deviation, so that a flat stretch (MAD 0) does not make every tick an outlier:
   * log return for prices, percentage points for yields.
   */
  returnScaleFloor: { price: number; yield: number };
  /** A range (log high/low; for yields high - low) is an outlier above this multiple of the median range. */
  rangeRatio: number;
  /** Lower bound of that median range (log units for prices, percentage points for yields). */
  rangeFloor: { price: number; yield: number };
  /** A close unchanged for this many bars in a row is stale (from the N-th bar on). */
  staleBars: number;
}

export const QUALITY_DEFAULTS: Readonly<QualityParams> = Object.freeze({
  window: 50,
  minWindow: 20,
  returnZ: 10,
  returnScaleFloor: Object.freeze({ price: 0.001, yield: 0.01 }),
  rangeRatio: 10,
  rangeFloor: Object.freeze({ price: 0.0005, yield: 0.005 }),
  staleBars: 5,
});
