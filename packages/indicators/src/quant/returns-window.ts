import { checkPeriod, checkPrice, checkState, InvalidInputError, type PriceOptions, priceFloor } from "../errors.ts";
import { cell, dec, decArr, enc, encArr, type Num, type Series } from "../state.ts";
import type { SimpleState } from "./simple.ts";

export interface ReturnsOptions extends PriceOptions {
  /** Periods per year for annualisation (252 daily equities/bonds, 365 daily crypto, x bars/day intraday). */
  periodsPerYear?: number;
}

export interface ReturnsWindowState {
  kind: "hv" | "sharpe" | "sortino";
  period: number;
  periodsPerYear: number;
  allowNonPositive: boolean;
  n: number;
  pos: number;
  cnt: number;
  prev: Num;
  out: Num;
  acc: Num[];
  buf: Num[];
  undo: Num[];
}

/** Variances below this (in squared log-return units, i.e. σ < 1e-12 per bar) are treated as exactly 0. */
export const VARIANCE_FLOOR = 1e-24;

const MODE = { hv: 0, sharpe: 1, sortino: 2 } as const;

/**
 * Shared core of HV, rolling Sharpe and rolling Sortino: a ring of the last `period` log returns ln(p/p_prev) with
 * Neumaier-compensated running sums of r, r² and min(r,0)², so a flat window after an extreme move reads exactly
 * (to ~1e-30) zero variance instead of the residue of plain running sums. Lookback = period (period returns need
 * period+1 prices). A return involving a non-positive price (allowNonPositive) is skipped: the window is not
 * advanced and the value is absent for that bar.
 */
export class ReturnsWindow {
  readonly kind: "hv" | "sharpe" | "sortino";
  readonly period: number;
  readonly lookback: number;
  readonly periodsPerYear: number;
  readonly allowNonPositive: boolean;
  private readonly mode: number;
  private readonly sqrtAnn: number;
  private readonly floor: number;
  private readonly buf: Float64Array;
  /** [s1, c1, s2, c2, sd, cd]: compensated sums of r, r², min(r,0)². */
  private readonly acc = new Float64Array(6);
  private readonly u = new Float64Array(11);
  private n = 0;
  private pos = 0;
  private cnt = 0;
  private prev = Number.NaN;
  private out = Number.NaN;
  /**
   * @internal The log return of the last step (NaN when it had none: first bar, non-positive price) and of the step
   * before it (undo record). Exactly a standalone LogReturn's output (same log of the same ratio); not part of this
   * window's own checkpoint (BarIndicators writes them into its logReturn state).
   */
  lr = Number.NaN;
  /** @internal See lr. */
  uLr = Number.NaN;

  constructor(kind: "hv" | "sharpe" | "sortino", period: number, opts?: ReturnsOptions) {
    this.kind = kind;
    this.mode = MODE[kind];
    this.period = checkPeriod(period, 2);
    this.lookback = period;
    const ppy = opts?.periodsPerYear ?? 252;
    if (typeof ppy !== "number" || !(ppy > 0 && ppy < Infinity))
      throw new InvalidInputError("periodsPerYear", ppy, "must be > 0");
    this.periodsPerYear = ppy;
    this.sqrtAnn = Math.sqrt(ppy);
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
    this.buf = new Float64Array(period);
  }

  get isWarm(): boolean {
    return this.cnt >= this.period && !Number.isNaN(this.out);
  }
  /** @internal The value, NaN while absent. */
  get raw(): number {
    return this.isWarm ? this.out : Number.NaN;
  }
  get value(): number | undefined {
    return this.isWarm ? this.out : undefined;
  }

  update(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    this.step(x);
    return this.value;
  }

  replace(x: number): number | undefined {
    checkPrice("close", x, this.floor);
    if (this.n > 0) {
      const u = this.u;
      this.n--;
      this.acc.set(u.subarray(0, 6));
      this.pos = u[6]!;
      this.buf[this.pos] = u[7]!;
      this.cnt = u[8]!;
      this.prev = u[9]!;
      this.out = u[10]!;
      this.lr = this.uLr;
    }
    this.step(x);
    return this.value;
  }

  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(x: number): void {
    const u = this.u;
    const acc = this.acc;
    const buf = this.buf;
    const pos = this.pos;
    u[0] = acc[0]!;
    u[1] = acc[1]!;
    u[2] = acc[2]!;
    u[3] = acc[3]!;
    u[4] = acc[4]!;
    u[5] = acc[5]!;
    u[6] = pos;
    u[7] = buf[pos]!;
    u[8] = this.cnt;
    u[9] = this.prev;
    u[10] = this.out;
    const prev = this.prev;
    this.prev = x;
    this.n++;
    this.uLr = this.lr;
    if (!(prev > 0 && x > 0)) {
      // first bar, or a non-positive price: no return
      this.out = Number.NaN;
      this.lr = Number.NaN;
      return;
    }
    const r = Math.log(x / prev);
    this.lr = r;
    const p = this.period;
    if (this.cnt >= p) {
      const old = buf[pos]!;
      kadd(acc, 0, -old);
      kadd(acc, 2, -(old * old));
      if (old < 0) kadd(acc, 4, -(old * old));
    }
    kadd(acc, 0, r);
    kadd(acc, 2, r * r);
    if (r < 0) kadd(acc, 4, r * r);
    buf[pos] = r;
    this.pos = pos + 1 === p ? 0 : pos + 1;
    if (++this.cnt < p) return;
    this.out = this.calc(this.mode);
  }

  /**
   * @internal The output of mode 0 (HV), 1 (Sharpe) or 2 (Sortino) from the current window (which must be full):
   * lets BarIndicators read all three from one shared window (same state, same arithmetic as the standalone classes).
   */
  calc(mode: number): number {
    const acc = this.acc;
    const p = this.period;
    const s1 = acc[0]! + acc[1]!;
    const mean = s1 / p;
    if (mode === 2) {
      const dv = (acc[4]! + acc[5]!) / p;
      return dv < VARIANCE_FLOOR ? 0 : (mean / Math.sqrt(dv)) * this.sqrtAnn;
    }
    const s2 = acc[2]! + acc[3]!;
    let v = (s2 - s1 * mean) / (p - 1);
    if (v < VARIANCE_FLOOR) v = 0;
    const sd = Math.sqrt(v);
    return mode === 0 ? sd * this.sqrtAnn : sd === 0 ? 0 : (mean / sd) * this.sqrtAnn;
  }

  /** @internal HV of the current window, NaN while not warm (set by calcAll()). */
  hvRaw = Number.NaN;
  /** @internal Sharpe of the current window, NaN while not warm (set by calcAll()). */
  sharpeRaw = Number.NaN;
  /** @internal Sortino of the current window, NaN while not warm (set by calcAll()). */
  sortinoRaw = Number.NaN;

  /** @internal Sets hvRaw, sharpeRaw, sortinoRaw (NaN while not warm) with exactly calc(0), calc(1), calc(2). */
  calcAll(): void {
    if (!this.isWarm) {
      this.hvRaw = this.sharpeRaw = this.sortinoRaw = Number.NaN;
      return;
    }
    const acc = this.acc;
    const p = this.period;
    const s1 = acc[0]! + acc[1]!;
    const mean = s1 / p;
    const dv = (acc[4]! + acc[5]!) / p;
    this.sortinoRaw = dv < VARIANCE_FLOOR ? 0 : (mean / Math.sqrt(dv)) * this.sqrtAnn;
    const s2 = acc[2]! + acc[3]!;
    let v = (s2 - s1 * mean) / (p - 1);
    if (v < VARIANCE_FLOOR) v = 0;
    const sd = Math.sqrt(v);
    this.hvRaw = sd * this.sqrtAnn;
    this.sharpeRaw = sd === 0 ? 0 : (mean / sd) * this.sqrtAnn;
  }

  /**
   * @internal The state a standalone LogReturn fed the same prices would write (its previous price, output and undo
   * record are this window's prev, lr, uLr and undo prev).
   */
  toJSONAsLogReturn(): SimpleState {
    const fresh = this.n === 0;
    return {
      kind: "logReturn",
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      s: [enc(this.prev), enc(this.lr), 0],
      undo: [fresh ? null : enc(this.u[9]!), enc(this.uLr), 0],
    };
  }

  /** @internal Restores lr/uLr from a LogReturn state written by toJSONAsLogReturn() (window restored first). */
  loadLogReturn(st: SimpleState): void {
    checkState(st?.kind === "logReturn" && st.n === this.n, "logReturn");
    this.lr = dec(st.s[1]);
    this.uLr = dec(st.undo[1]);
  }

  /** @internal State of this window as if it were a window of another kind (the same window feeds HV, Sharpe, Sortino). */
  toJSONAs(kind: "hv" | "sharpe" | "sortino"): ReturnsWindowState {
    const st = this.toJSON();
    st.kind = kind;
    if (!Number.isNaN(this.out)) st.out = this.calc(MODE[kind]);
    return st;
  }

  toJSON(): ReturnsWindowState {
    return {
      kind: this.kind,
      period: this.period,
      periodsPerYear: this.periodsPerYear,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      pos: this.pos,
      cnt: this.cnt,
      prev: enc(this.prev),
      out: enc(this.out),
      acc: encArr(this.acc),
      buf: encArr(this.buf),
      undo: encArr(this.u),
    };
  }

  protected load(s: ReturnsWindowState): this {
    checkState(s?.kind === this.kind, this.kind);
    this.n = s.n;
    this.pos = s.pos;
    this.cnt = s.cnt;
    this.prev = dec(s.prev);
    this.out = dec(s.out);
    this.acc.set(decArr(s.acc, 6));
    this.buf.set(decArr(s.buf, this.period));
    this.u.set(decArr(s.undo, 11));
    return this;
  }
}

/** Neumaier compensated add of v into (a[i], a[i+1]). */
function kadd(a: Float64Array, i: number, v: number): void {
  const s = a[i]!;
  const t = s + v;
  // the exact rounding error of s + v by Knuth's branch-free TwoSum: the same value as Neumaier's
  // |s| >= |v| ? (s - t) + v : (v - t) + s (both are exact), without the unpredictable branch
  const bv = t - s;
  a[i + 1]! += s - (t - bv) + (v - bv);
  a[i] = t;
}

function optsOf(s: ReturnsWindowState): ReturnsOptions {
  return { periodsPerYear: s.periodsPerYear, allowNonPositive: s.allowNonPositive };
}

/** Historical volatility: sample stddev (n-1) of the last `period` log returns x sqrt(periodsPerYear). */
export class Hv extends ReturnsWindow {
  constructor(period = 20, opts?: ReturnsOptions) {
    super("hv", period, opts);
  }
  static fromJSON(s: ReturnsWindowState): Hv {
    return new Hv(s.period, optsOf(s)).load(s);
  }
}

/** Rolling Sharpe ratio (risk-free 0): mean / sample stddev of the last `period` log returns x sqrt(periodsPerYear); 0 when σ = 0. */
export class Sharpe extends ReturnsWindow {
  constructor(period = 20, opts?: ReturnsOptions) {
    super("sharpe", period, opts);
  }
  static fromJSON(s: ReturnsWindowState): Sharpe {
    return new Sharpe(s.period, optsOf(s)).load(s);
  }
}

/** Rolling Sortino ratio (target 0): mean / sqrt(Σ min(r,0)² / period) x sqrt(periodsPerYear); 0 when no downside. */
export class Sortino extends ReturnsWindow {
  constructor(period = 20, opts?: ReturnsOptions) {
    super("sortino", period, opts);
  }
  static fromJSON(s: ReturnsWindowState): Sortino {
    return new Sortino(s.period, optsOf(s)).load(s);
  }
}

function run(ind: ReturnsWindow, values: Series): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = cell(ind.update(values[i]!));
  return out;
}
export const hv = (values: Series, period = 20, opts?: ReturnsOptions) => run(new Hv(period, opts), values);
export const sharpe = (values: Series, period = 20, opts?: ReturnsOptions) => run(new Sharpe(period, opts), values);
export const sortino = (values: Series, period = 20, opts?: ReturnsOptions) => run(new Sortino(period, opts), values);
