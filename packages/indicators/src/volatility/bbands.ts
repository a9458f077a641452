import { checkPrice, type PriceOptions, priceFloor } from "../errors.ts";
import type { Series } from "../state.ts";
import { StdDev, type StdDevState } from "./stddev.ts";

/**
 * Bollinger Bands, TA-Lib BBANDS with MA type SMA (20, 2, 2): middle = SMA, upper/lower = middle ± nbDev·σ with σ the
 * population standard deviation (TA-Lib's TA_INT_stddev_using_precalc_ma; 0 when the variance is < 1e-14).
 * Lookback period-1. update() returns σ when warm (undefined before); read .upper, .middle, .lower.
 */
export class Bbands extends StdDev {
  protected override readonly kind = "bbands";
  constructor(period = 20, devUp = 2, devDn = devUp, opts?: PriceOptions) {
    super(period, devUp, opts, devDn);
  }
  get middle(): number {
    return this.mean;
  }
  static override fromJSON(st: StdDevState): Bbands {
    return new Bbands(st.period, st.devUp, st.devDn, { allowNonPositive: st.allowNonPositive }).load(st);
  }
}

export interface BbandsSeries {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

export function bbands(values: Series, period = 20, devUp = 2, devDn = devUp, opts?: PriceOptions): BbandsSeries {
  // validate the whole series up front (same error as update() at the first bad value), then run the same step()
  const ind = new Bbands(period, devUp, devDn, opts);
  const len = values.length;
  const floor = priceFloor(opts);
  for (let i = 0; i < len; i++) checkPrice("close", values[i]!, floor);
  const upper = new Float64Array(len).fill(Number.NaN);
  const middle = new Float64Array(len).fill(Number.NaN);
  const lower = new Float64Array(len).fill(Number.NaN);
  for (let i = 0; i < len; i++) {
    if (ind.step(values[i]!) !== undefined) {
      upper[i] = ind.upper;
      middle[i] = ind.mean;
      lower[i] = ind.lower;
    }
  }
  return { upper, middle, lower };
}
