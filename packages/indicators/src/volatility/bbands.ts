import { checkPeriod, checkPrices, type PriceOptions, priceFloor } from "../errors.ts";
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

/**
 * Batch BBANDS: NaN during warm-up. Its own loop doing exactly StdDev.step()'s operations (BBANDS kind) in the same
 * order, reading the dropped value from the input instead of a ring; batch === streaming (Object.is) is tested on
 * 100,000-bar series.
 */
export function bbands(values: Series, period = 20, devUp = 2, devDn = devUp, opts?: PriceOptions): BbandsSeries {
  checkPeriod(period, 2);
  const len = values.length;
  checkPrices("close", values, priceFloor(opts));
  const p = period;
  const upper = new Float64Array(len);
  const middle = new Float64Array(len);
  const lower = new Float64Array(len);
  const warm = Math.min(p - 1, len);
  let sum = 0;
  let sum2 = 0;
  let i = 0;
  for (; i < warm; i++) {
    const x = values[i]!;
    sum += x;
    sum2 += x * x;
    upper[i] = middle[i] = lower[i] = Number.NaN;
  }
  for (let j = 0; i < len; i++, j++) {
    const x = values[i]!;
    sum += x;
    sum2 += x * x;
    const mean = sum / p;
    let mean2 = sum2 / p;
    const old = values[j]!; // j = i - period + 1: the oldest value of the window
    sum = sum - old;
    sum2 = sum2 - old * old;
    mean2 -= mean * mean;
    const sd = mean2 < 1e-14 ? 0 : Math.sqrt(mean2);
    middle[i] = mean;
    upper[i] = mean + sd * devUp;
    lower[i] = mean - sd * devDn;
  }
  return { upper, middle, lower };
}
