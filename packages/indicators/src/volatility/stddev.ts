import { checkPeriod, checkPrice, checkPrices, checkState, type PriceOptions, priceFloor } from "../errors.ts";
import { dec, decArr, enc, encArr, type Num, type Series } from "../state.ts";
import type { SmaState } from "../trend/sma.ts";

export interface StdDevState {
  kind: "stddev" | "bbands";
  period: number;
  devUp: number;
  devDn: number;
  allowNonPositive: boolean;
  n: number;
  pos: number;
  s: Num[];
  buf: Num[];
  undo: Num[];
}

/**
 * Rolling population standard deviation with running sums of x and x², in TA-Lib's order (TA_INT_VAR): add, take
 * the means, subtract the oldest; variance = mean(x²) - mean(x)²; stddev = sqrt(variance) * nbDev, or 0 when the
 * variance is < 1e-14 (TA_IS_ZERO_OR_NEG). Shared core of STDDEV and BBANDS (whose middle band is the same SMA).
 */
export class StdDev {
  readonly period: number;
  readonly lookback: number;
  readonly devUp: number;
  readonly devDn: number;
  readonly allowNonPositive: boolean;
  /** Rolling mean (the BBANDS middle band) of the last update. */
  mean = Number.NaN;
  /** Standard deviation (times nbDev for STDDEV; raw for BBANDS). */
  sd = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
  protected readonly kind: "stddev" | "bbands" = "stddev";
  private readonly floor: number;
  private readonly buf: Float64Array;
  private n = 0;
  private pos = 0;
  private sum = 0;
  private sum2 = 0;
  private readonly u = new Float64Array(7);

  constructor(period = 20, nbDev = 1, opts?: PriceOptions, devDn = nbDev) {
    this.period = checkPeriod(period, 2);
    this.lookback = period - 1;
    this.devUp = nbDev;
    this.devDn = devDn;
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
    this.buf = new Float64Array(period);
  }

  get isWarm(): boolean {
    return this.n >= this.period;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n >= this.period ? this.sd : Number.NaN;
  }
  get value(): number | undefined {
    return this.n >= this.period ? this.sd : undefined;
  }

  update(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    this.step(x);
    return this.value;
  }

  replace(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    if (this.n > 0) this.undo();
    this.step(x);
    return this.value;
  }

  private undo(): void {
    const u = this.u;
    this.n--;
    this.pos = this.pos === 0 ? this.period - 1 : this.pos - 1;
    this.buf[this.pos] = u[0]!;
    this.sum = u[1]!;
    this.sum2 = u[2]!;
    this.mean = u[3]!;
    this.sd = u[4]!;
    this.upper = u[5]!;
    this.lower = u[6]!;
  }

  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(x: number): void {
    const p = this.period;
    const buf = this.buf;
    const u = this.u;
    let pos = this.pos;
    let sum = this.sum;
    let sum2 = this.sum2;
    u[0] = buf[pos]!;
    u[1] = sum;
    u[2] = sum2;
    u[3] = this.mean;
    u[4] = this.sd;
    u[5] = this.upper;
    u[6] = this.lower;
    buf[pos] = x;
    sum += x;
    sum2 += x * x;
    pos = pos + 1 === p ? 0 : pos + 1;
    this.pos = pos;
    if (++this.n < p) {
      this.sum = sum;
      this.sum2 = sum2;
      return;
    }
    const mean = sum / p;
    let mean2 = sum2 / p;
    const old = buf[pos]!;
    this.sum = sum - old;
    this.sum2 = sum2 - old * old;
    mean2 -= mean * mean;
    let sd = mean2 < 1e-14 ? 0 : Math.sqrt(mean2);
    this.mean = mean;
    if (this.kind === "stddev") {
      if (this.devUp !== 1) sd *= this.devUp;
    } else {
      this.upper = mean + sd * this.devUp;
      this.lower = mean - sd * this.devDn;
    }
    this.sd = sd;
  }

  toJSON(): StdDevState {
    return {
      kind: this.kind,
      period: this.period,
      devUp: this.devUp,
      devDn: this.devDn,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      pos: this.pos,
      s: [this.sum, this.sum2, this.mean, this.sd, this.upper, this.lower].map(enc),
      buf: encArr(this.buf),
      undo: encArr(this.u),
    };
  }

  /**
   * @internal The state a standalone `Sma(period)` fed the same values would write: its running sum, ring and undo
   * record are this window's (same operations in the same order), its output is `mean`. Lets BarIndicators read
   * sma20 from the BBANDS window and still checkpoint one state per metric.
   */
  toJSONAsSma(): SmaState {
    const u = this.u;
    const fresh = this.n === 0;
    return {
      kind: "sma",
      period: this.period,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      pos: this.pos,
      sum: this.sum,
      out: enc(this.mean),
      buf: Array.from(this.buf),
      undo: [u[1]!, u[0]!, fresh ? null : enc(u[3]!)],
    };
  }

  /**
   * @internal The state a standalone `StdDev(period, 1)` fed the same values would write (BBANDS' σ is the nbDev-1
   * σ; the bands are not part of it). Lets BarIndicators read stddev20 from the BBANDS window.
   */
  toJSONAsStdDev(): StdDevState {
    const u = this.u;
    const fresh = this.n === 0;
    return {
      kind: "stddev",
      period: this.period,
      devUp: 1,
      devDn: 1,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      pos: this.pos,
      s: [this.sum, this.sum2, this.mean, this.sd, Number.NaN, Number.NaN].map(enc),
      buf: encArr(this.buf),
      undo: fresh ? encArr(u) : [...encArr(u.subarray(0, 5)), null, null],
    };
  }

  protected load(st: StdDevState): this {
    checkState(st?.kind === this.kind, this.kind);
    this.n = st.n;
    this.pos = st.pos;
    const s = st.s.map(dec);
    this.sum = s[0]!;
    this.sum2 = s[1]!;
    this.mean = s[2]!;
    this.sd = s[3]!;
    this.upper = s[4]!;
    this.lower = s[5]!;
    this.buf.set(decArr(st.buf, this.period));
    this.u.set(decArr(st.undo, 7));
    return this;
  }

  static fromJSON(st: StdDevState): StdDev {
    return new StdDev(st.period, st.devUp, { allowNonPositive: st.allowNonPositive }).load(st);
  }
}

/**
 * Batch TA-Lib STDDEV (population), default period 20 here (TA-Lib's own default is 5), nbDev 1. Its own loop doing
 * exactly StdDev.step()'s operations in the same order, reading the dropped value from the input instead of a ring;
 * batch === streaming (Object.is) is tested on 100,000-bar series.
 */
export function stddev(values: Series, period = 20, nbDev = 1, opts?: PriceOptions): Float64Array {
  checkPeriod(period, 2);
  const len = values.length;
  checkPrices("close", values, priceFloor(opts));
  const p = period;
  const out = new Float64Array(len);
  const warm = Math.min(p - 1, len);
  let sum = 0;
  let sum2 = 0;
  let i = 0;
  for (; i < warm; i++) {
    const x = values[i]!;
    sum += x;
    sum2 += x * x;
    out[i] = Number.NaN;
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
    let sd = mean2 < 1e-14 ? 0 : Math.sqrt(mean2);
    if (nbDev !== 1) sd *= nbDev;
    out[i] = sd;
  }
  return out;
}
