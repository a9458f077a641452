import { checkHighLow, checkPeriod, checkPrice, checkState, isHlc, type PriceOptions, priceFloor } from "../errors.ts";
import { dec, enc, type Num, type Series } from "../state.ts";

export interface AtrState {
  kind: "atr";
  period: number;
  allowNonPositive: boolean;
  n: number;
  s: Num[];
  undo: Num[];
}

/**
 * Average true range, TA-Lib ATR (14, unstable period 0). Lookback = period: true range needs the previous close,
 * so TR starts at bar 1; the first ATR (bar `period`) is the mean of TR[1..period], then Wilder smoothing
 * atr = (atr*(period-1) + tr)/period. TR = max(high-low, |prevClose-high|, |prevClose-low|).
 */
export class Atr {
  readonly period: number;
  readonly lookback: number;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private n = 0;
  private prevClose = 0;
  private trSum = 0;
  private atr = Number.NaN;
  private uPrev = 0;
  private uSum = 0;
  private uAtr = Number.NaN;

  constructor(period = 14, opts?: PriceOptions) {
    this.period = checkPeriod(period);
    this.lookback = period;
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }

  get isWarm(): boolean {
    return this.n > this.period;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n > this.period ? this.atr : Number.NaN;
  }
  get value(): number | undefined {
    return this.n > this.period ? this.atr : undefined;
  }

  private check(high: number, low: number, close: number): void {
    const f = this.floor;
    // one compare chain for a valid bar; the named checks only find what is wrong
    if (isHlc(high, low, close, f)) return;
    checkPrice("high", high, f);
    checkPrice("low", low, f);
    checkPrice("close", close, f);
    checkHighLow(high, low);
  }

  update(high: number, low: number, close: number): number | undefined {
    this.check(high, low, close);
    this.step(high, low, close);
    return this.value;
  }

  replace(high: number, low: number, close: number): number | undefined {
    this.check(high, low, close);
    if (this.n > 0) {
      this.n--;
      this.prevClose = this.uPrev;
      this.trSum = this.uSum;
      this.atr = this.uAtr;
    }
    this.step(high, low, close);
    return this.value;
  }

  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(high: number, low: number, close: number): void {
    const prev = this.prevClose;
    this.uPrev = prev;
    this.uSum = this.trSum;
    this.uAtr = this.atr;
    this.prevClose = close;
    const i = this.n++;
    if (i === 0) return;
    let tr = high - low;
    const a = Math.abs(prev - high);
    if (a > tr) tr = a;
    const b = Math.abs(prev - low);
    if (b > tr) tr = b;
    const p = this.period;
    if (i > p) {
      let atr = this.atr * (p - 1);
      atr += tr;
      this.atr = atr / p;
      return;
    }
    this.trSum += tr;
    if (i === p) this.atr = this.trSum / p;
  }

  toJSON(): AtrState {
    return {
      kind: "atr",
      period: this.period,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      s: [this.prevClose, this.trSum, enc(this.atr)],
      undo: [this.uPrev, this.uSum, enc(this.uAtr)],
    };
  }

  static fromJSON(st: AtrState): Atr {
    checkState(st?.kind === "atr", "atr");
    const r = new Atr(st.period, { allowNonPositive: st.allowNonPositive });
    r.n = st.n;
    [r.prevClose, r.trSum, r.atr] = st.s.map(dec) as [number, number, number];
    [r.uPrev, r.uSum, r.uAtr] = st.undo.map(dec) as [number, number, number];
    return r;
  }
}

/**
 * Batch ATR: NaN during warm-up. Validates every bar first (same error as update() at the first bad bar), then its own
 * loop doing exactly Atr.step()'s operations in the same order; batch === streaming (Object.is) is tested on 100,000
 * bars.
 */
export function atr(high: Series, low: Series, close: Series, period = 14, opts?: PriceOptions): Float64Array {
  checkPeriod(period);
  const len = close.length;
  const floor = priceFloor(opts);
  let bad = 0;
  // scan without calls in the loop body (faster), then throw update()'s error for the first bad bar
  for (; bad < len; bad++) {
    const hi = high[bad]!;
    const lo = low[bad]!;
    const cl = close[bad]!;
    if (
      typeof hi !== "number" ||
      typeof lo !== "number" ||
      typeof cl !== "number" ||
      !(hi > floor && hi < Infinity && lo > floor && lo < Infinity && cl > floor && cl < Infinity && hi >= lo)
    )
      break;
  }
  if (bad < len) {
    checkPrice("high", high[bad]!, floor);
    checkPrice("low", low[bad]!, floor);
    checkPrice("close", close[bad]!, floor);
    checkHighLow(high[bad]!, low[bad]!);
  }
  const p = period;
  const out = new Float64Array(len);
  if (len === 0) return out;
  out[0] = Number.NaN;
  let prev = close[0]!;
  let trSum = 0;
  let a = Number.NaN;
  let i = 1;
  for (; i < len && i <= p; i++) {
    const h = high[i]!;
    const l = low[i]!;
    let tr = h - l;
    const u = Math.abs(prev - h);
    if (u > tr) tr = u;
    const d = Math.abs(prev - l);
    if (d > tr) tr = d;
    prev = close[i]!;
    trSum += tr;
    if (i < p) out[i] = Number.NaN;
    else out[i] = a = trSum / p;
  }
  for (; i < len; i++) {
    const h = high[i]!;
    const l = low[i]!;
    let tr = h - l;
    const u = Math.abs(prev - h);
    if (u > tr) tr = u;
    const d = Math.abs(prev - l);
    if (d > tr) tr = d;
    prev = close[i]!;
    a = a * (p - 1);
    a += tr;
    a = a / p;
    out[i] = a;
  }
  return out;
}
