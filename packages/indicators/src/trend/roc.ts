import type { PriceOptions } from "../errors.ts";
import { cell, type Series } from "../state.ts";
import { Lag, type LagState } from "./lag.ts";

/** Rate of change, TA-Lib ROC: (x / x[n-period] - 1) * 100, 0 when x[n-period] is 0. Lookback = period (10). */
export class Roc extends Lag {
  readonly kind = "roc";
  constructor(period = 10, opts?: PriceOptions) {
    super(period, opts);
  }
  protected calc(x: number, old: number): number {
    return old !== 0 ? (x / old - 1) * 100 : 0;
  }
  static fromJSON(s: LagState): Roc {
    return new Roc(s.period, { allowNonPositive: s.allowNonPositive }).load(s);
  }
}

export function roc(values: Series, period = 10, opts?: PriceOptions): Float64Array {
  const ind = new Roc(period, opts);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = cell(ind.update(values[i]!));
  return out;
}
