import type { PriceOptions } from "../errors.ts";
import { cell, type Series } from "../state.ts";
import { Lag, type LagState } from "./lag.ts";

/** Momentum, TA-Lib MOM: x - x[n-period]. Lookback = period (10). */
export class Mom extends Lag {
  readonly kind = "mom";
  constructor(period = 10, opts?: PriceOptions) {
    super(period, opts);
  }
  protected calc(x: number, old: number): number {
    return x - old;
  }
  static fromJSON(s: LagState): Mom {
    return new Mom(s.period, { allowNonPositive: s.allowNonPositive }).load(s);
  }
}

export function mom(values: Series, period = 10, opts?: PriceOptions): Float64Array {
  const ind = new Mom(period, opts);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = cell(ind.update(values[i]!));
  return out;
}
