import { checkPeriod, checkPrice, checkPrices, checkState, type PriceOptions, priceFloor } from "../errors.ts";
import { dec, enc, type Num, type Series } from "../state.ts";

export interface RsiState {
  kind: "rsi";
  period: number;
  allowNonPositive: boolean;
  n: number;
  s: Num[];
  undo: Num[];
}

/**
 * Relative strength index, TA-Lib RSI (default compatibility, unstable period 0). Lookback = period (14).
 * Average gain/loss are the plain means of the first `period` changes, then Wilder-smoothed:
 * avg = (avg*(period-1) + change)/period. RSI = 100*gain/(gain+loss), and 0 when |gain+loss| < 1e-14 (TA_IS_ZERO).
 */
export class Rsi {
  readonly period: number;
  readonly lookback: number;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private n = 0;
  private prev = 0;
  private gain = 0;
  private loss = 0;
  private out = Number.NaN;
  private uPrev = 0;
  private uGain = 0;
  private uLoss = 0;
  private uOut = Number.NaN;

  constructor(period = 14, opts?: PriceOptions) {
    this.period = checkPeriod(period, 2);
    this.lookback = period;
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }

  get isWarm(): boolean {
    return this.n > this.period;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n > this.period ? this.out : Number.NaN;
  }
  get value(): number | undefined {
    return this.n > this.period ? this.out : undefined;
  }

  update(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    this.step(x);
    return this.value;
  }

  replace(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    if (this.n > 0) {
      this.n--;
      this.prev = this.uPrev;
      this.gain = this.uGain;
      this.loss = this.uLoss;
      this.out = this.uOut;
    }
    this.step(x);
    return this.value;
  }

  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(x: number): void {
    const p = this.period;
    let gain = this.gain;
    let loss = this.loss;
    this.uPrev = this.prev;
    this.uGain = gain;
    this.uLoss = loss;
    this.uOut = this.out;
    const i = this.n++;
    const d = x - this.prev;
    this.prev = x;
    if (i === 0) return;
    if (i <= p) {
      if (d < 0) loss -= d;
      else gain += d;
      if (i < p) {
        this.gain = gain;
        this.loss = loss;
        return;
      }
    } else {
      loss *= p - 1;
      gain *= p - 1;
      if (d < 0) loss -= d;
      else gain += d;
    }
    loss /= p;
    gain /= p;
    this.gain = gain;
    this.loss = loss;
    const t = gain + loss;
    this.out = t > -1e-14 && t < 1e-14 ? 0 : 100 * (gain / t);
  }

  toJSON(): RsiState {
    return {
      kind: "rsi",
      period: this.period,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      s: [this.prev, this.gain, this.loss, enc(this.out)],
      undo: [this.uPrev, this.uGain, this.uLoss, enc(this.uOut)],
    };
  }

  static fromJSON(st: RsiState): Rsi {
    checkState(st?.kind === "rsi", "rsi");
    const r = new Rsi(st.period, { allowNonPositive: st.allowNonPositive });
    r.n = st.n;
    [r.prev, r.gain, r.loss, r.out] = st.s.map(dec) as [number, number, number, number];
    [r.uPrev, r.uGain, r.uLoss, r.uOut] = st.undo.map(dec) as [number, number, number, number];
    return r;
  }
}

/**
 * Batch RSI: NaN during warm-up. Its own loop doing exactly Rsi.step()'s operations in the same order (sums of the
 * first `period` changes, then Wilder smoothing); batch === streaming (Object.is) is tested on 100,000-bar series.
 */
export function rsi(values: Series, period = 14, opts?: PriceOptions): Float64Array {
  checkPeriod(period, 2);
  const len = values.length;
  checkPrices("close", values, priceFloor(opts));
  const p = period;
  const out = new Float64Array(len);
  if (len === 0) return out;
  let prev = values[0]!;
  out[0] = Number.NaN;
  let gain = 0;
  let loss = 0;
  const warm = Math.min(p, len);
  let i = 1;
  for (; i < warm; i++) {
    const x = values[i]!;
    const d = x - prev;
    prev = x;
    if (d < 0) loss -= d;
    else gain += d;
    out[i] = Number.NaN;
  }
  if (i === len) return out;
  {
    const x = values[i]!;
    const d = x - prev;
    prev = x;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= p;
    gain /= p;
    const t = gain + loss;
    out[i++] = t > -1e-14 && t < 1e-14 ? 0 : 100 * (gain / t);
  }
  for (; i < len; i++) {
    const x = values[i]!;
    const d = x - prev;
    prev = x;
    loss *= p - 1;
    gain *= p - 1;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= p;
    gain /= p;
    const t = gain + loss;
    out[i] = t > -1e-14 && t < 1e-14 ? 0 : 100 * (gain / t);
  }
  return out;
}
