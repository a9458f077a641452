import { checkHighLow, checkPeriod, checkPrice, checkState, type PriceOptions, priceFloor } from "../errors.ts";
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
    checkPrice("high", high, this.floor);
    checkPrice("low", low, this.floor);
    checkPrice("close", close, this.floor);
    checkHighLow(high, low);
  }

  update(high: number, low: number, close: number): number | undefined {
    this.check(high, low, close);
    return this.step(high, low, close);
  }

  replace(high: number, low: number, close: number): number | undefined {
    this.check(high, low, close);
    if (this.n > 0) {
      this.n--;
      this.prevClose = this.uPrev;
      this.trSum = this.uSum;
      this.atr = this.uAtr;
    }
    return this.step(high, low, close);
  }

  /** @internal Advances by one input without validating it (the caller already did). */
  step(high: number, low: number, close: number): number | undefined {
    const prev = this.prevClose;
    this.uPrev = prev;
    this.uSum = this.trSum;
    this.uAtr = this.atr;
    this.prevClose = close;
    const i = this.n++;
    if (i === 0) return undefined;
    let tr = high - low;
    const a = Math.abs(prev - high);
    if (a > tr) tr = a;
    const b = Math.abs(prev - low);
    if (b > tr) tr = b;
    const p = this.period;
    if (i > p) {
      let atr = this.atr * (p - 1);
      atr += tr;
      return (this.atr = atr / p);
    }
    this.trSum += tr;
    if (i < p) return undefined;
    return (this.atr = this.trSum / p);
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

export function atr(high: Series, low: Series, close: Series, period = 14, opts?: PriceOptions): Float64Array {
  // validate the whole series up front (same error as update() at the first bad bar), then run the same step()
  const ind = new Atr(period, opts);
  const len = close.length;
  const floor = priceFloor(opts);
  for (let i = 0; i < len; i++) {
    const hi = high[i]!;
    const lo = low[i]!;
    checkPrice("high", hi, floor);
    checkPrice("low", lo, floor);
    checkPrice("close", close[i]!, floor);
    checkHighLow(hi, lo);
  }
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    ind.step(high[i]!, low[i]!, close[i]!);
    out[i] = ind.raw;
  }
  return out;
}
