import { checkPeriod, checkPrice, checkPrices, checkState, isPrice, type PriceOptions, priceFloor } from "../errors.ts";
import { dec, enc, type Num, type Series } from "../state.ts";

export interface EmaState {
  kind: "ema";
  period: number;
  allowNonPositive: boolean;
  n: number;
  sum: number;
  ema: Num;
  undo: Num[];
}

/**
 * Exponential moving average, TA-Lib EMA (default compatibility). k = 2/(period+1). Lookback period-1: the first
 * value (bar period-1) is the SMA of the first `period` values; then ema = (x - ema)*k + ema.
 */
export class Ema {
  readonly period: number;
  readonly lookback: number;
  readonly k: number;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private n = 0;
  private sum = 0;
  private ema = Number.NaN;
  /** Undo record for replace(): the running sum before the last seeding step (the sum is constant once warm). */
  private uSum = 0;
  /** Undo record for replace(): the EMA before the last step. */
  private uEma = Number.NaN;

  constructor(period = 20, opts?: PriceOptions) {
    this.period = checkPeriod(period);
    this.lookback = period - 1;
    this.k = 2 / (period + 1);
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }

  get isWarm(): boolean {
    return this.n >= this.period;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n >= this.period ? this.ema : Number.NaN;
  }
  get value(): number | undefined {
    return this.n >= this.period ? this.ema : undefined;
  }

  update(x: number): number | undefined {
    const ema = this.ema;
    const n = this.n;
    // steady state (warm, valid input) inline: one compare chain (typeof first: "106" > 0 is true in JavaScript),
    // three field writes (n, undo, ema), the same arithmetic as step()
    if (n >= this.period && isPrice(x, this.floor)) {
      this.uEma = ema;
      this.n = n + 1;
      return (this.ema = (x - ema) * this.k + ema);
    }
    checkPrice("close", x, this.floor);
    this.step(x);
    return this.value;
  }

  replace(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    if (this.n > 0) {
      // the running sum only changes while seeding (n <= period), so only those steps record and restore it
      if (this.n <= this.period) this.sum = this.uSum;
      this.n--;
      this.ema = this.uEma;
    }
    this.step(x);
    return this.value;
  }

  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(x: number): void {
    const ema = this.ema;
    this.uEma = ema;
    const n = ++this.n;
    if (n > this.period) {
      this.ema = (x - ema) * this.k + ema;
      return;
    }
    const sum = this.sum;
    this.uSum = sum;
    this.sum = sum + x;
    if (n === this.period) this.ema = this.sum / this.period;
  }

  toJSON(): EmaState {
    return {
      kind: "ema",
      period: this.period,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      sum: this.sum,
      ema: enc(this.ema),
      undo: [this.uSum, enc(this.uEma)],
    };
  }

  static fromJSON(s: EmaState): Ema {
    checkState(s?.kind === "ema", "ema");
    const r = new Ema(s.period, { allowNonPositive: s.allowNonPositive });
    r.n = s.n;
    r.sum = s.sum;
    r.ema = dec(s.ema);
    r.uSum = dec(s.undo[0]);
    r.uEma = dec(s.undo[1]);
    return r;
  }
}

/**
 * Batch EMA: NaN during warm-up. Its own loop doing exactly Ema.step()'s operations in the same order (running sum,
 * SMA seed, then (x - ema)*k + ema); batch === streaming (Object.is) is tested on 100,000-bar series.
 */
export function ema(values: Series, period = 20, opts?: PriceOptions): Float64Array {
  checkPeriod(period);
  const len = values.length;
  checkPrices("close", values, priceFloor(opts));
  const k = 2 / (period + 1);
  const out = new Float64Array(len);
  const warm = Math.min(period - 1, len);
  let sum = 0;
  let i = 0;
  for (; i < warm; i++) {
    sum = sum + values[i]!;
    out[i] = Number.NaN;
  }
  if (i === len) return out;
  sum = sum + values[i]!;
  let e = sum / period;
  out[i++] = e;
  for (; i < len; i++) {
    e = (values[i]! - e) * k + e;
    out[i] = e;
  }
  return out;
}
