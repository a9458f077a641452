import { checkPeriod, checkPrice, checkPrices, checkState, type PriceOptions, priceFloor } from "../errors.ts";
import { dec, decArr, type Num, type Series } from "../state.ts";

export interface SmaState {
  kind: "sma";
  period: number;
  allowNonPositive: boolean;
  n: number;
  pos: number;
  sum: number;
  out: Num;
  buf: Num[];
  undo: Num[];
}

/**
 * Simple moving average, TA-Lib SMA. Lookback period-1: the first value is at bar index period-1.
 * Running sum in TA-Lib's order: add the new value, divide, then subtract the oldest value of the window.
 */
export class Sma {
  readonly period: number;
  readonly lookback: number;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private readonly buf: Float64Array;
  private n = 0;
  private pos = 0;
  private sum = 0;
  private out = Number.NaN;
  private uSum = 0;
  private uSlot = 0;
  private uOut = Number.NaN;

  constructor(period = 20, opts?: PriceOptions) {
    this.period = checkPeriod(period);
    this.lookback = period - 1;
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
    this.buf = new Float64Array(period);
  }

  get isWarm(): boolean {
    return this.n > this.lookback;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n > this.lookback ? this.out : Number.NaN;
  }
  get value(): number | undefined {
    return this.n > this.lookback ? this.out : undefined;
  }
  get count(): number {
    return this.n;
  }

  update(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    // step() inline, returning the new value from a local (re-reading the fields after step() costs ~10% here);
    // the same operations in the same order as step() (tested: streaming === batch === BarIndicators)
    const p = this.period;
    let pos = this.pos;
    const buf = this.buf;
    const prev = this.sum;
    this.uSum = prev;
    this.uSlot = buf[pos]!;
    this.uOut = this.out;
    buf[pos] = x;
    const sum = prev + x;
    pos = pos + 1 === p ? 0 : pos + 1;
    this.pos = pos;
    if (++this.n >= p) {
      const out = sum / p;
      this.out = out;
      this.sum = sum - buf[pos]!;
      return out;
    }
    this.sum = sum;
    return undefined;
  }

  /** Replaces the last value (the still-forming bar); same as update() when nothing was fed yet. */
  replace(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    if (this.n > 0) this.undo();
    this.step(x);
    return this.value;
  }

  private undo(): void {
    this.n--;
    this.pos = this.pos === 0 ? this.period - 1 : this.pos - 1;
    this.buf[this.pos] = this.uSlot;
    this.sum = this.uSum;
    this.out = this.uOut;
  }

  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(x: number): void {
    const p = this.period;
    let pos = this.pos;
    const buf = this.buf;
    this.uSum = this.sum;
    this.uSlot = buf[pos]!;
    this.uOut = this.out;
    buf[pos] = x;
    const sum = this.sum + x;
    pos = pos + 1 === p ? 0 : pos + 1;
    this.pos = pos;
    if (++this.n >= p) {
      const out = sum / p;
      this.out = out;
      this.sum = sum - buf[pos]!;
      return;
    }
    this.sum = sum;
  }

  toJSON(): SmaState {
    return {
      kind: "sma",
      period: this.period,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      pos: this.pos,
      sum: this.sum,
      out: Number.isNaN(this.out) ? null : this.out,
      buf: Array.from(this.buf),
      undo: [this.uSum, this.uSlot, Number.isNaN(this.uOut) ? null : this.uOut],
    };
  }

  static fromJSON(s: SmaState): Sma {
    checkState(s?.kind === "sma", "sma");
    const r = new Sma(s.period, { allowNonPositive: s.allowNonPositive });
    r.n = s.n;
    r.pos = s.pos;
    r.sum = s.sum;
    r.out = dec(s.out);
    r.buf.set(decArr(s.buf, s.period));
    r.uSum = dec(s.undo[0]);
    r.uSlot = dec(s.undo[1]);
    r.uOut = dec(s.undo[2]);
    return r;
  }
}

/**
 * Batch SMA: NaN during warm-up. Its own loop over the input doing exactly the floating-point operations of
 * Sma.step() in the same order (add, divide, subtract the oldest), reading the dropped value from the input instead
 * of a ring; batch === streaming (Object.is) is tested on 100,000-bar series.
 */
export function sma(values: Series, period = 20, opts?: PriceOptions): Float64Array {
  checkPeriod(period);
  const len = values.length;
  checkPrices("close", values, priceFloor(opts));
  const out = new Float64Array(len);
  const warm = Math.min(period - 1, len);
  let sum = 0;
  let i = 0;
  for (; i < warm; i++) {
    sum = sum + values[i]!;
    out[i] = Number.NaN;
  }
  for (let j = 0; i < len; i++, j++) {
    const s = sum + values[i]!;
    out[i] = s / period;
    sum = s - values[j]!; // j = i - period + 1: the oldest value of the window
  }
  return out;
}
