import { checkPeriod, checkPrice, checkPrices, checkState, type PriceOptions, priceFloor } from "../errors.ts";
import { dec, enc, type Num, type Series } from "../state.ts";

export interface MacdState {
  kind: "macd";
  fast: number;
  slow: number;
  signal: number;
  allowNonPositive: boolean;
  n: number;
  s: Num[];
  undo: Num[];
}

/**
 * MACD, TA-Lib MACD (12, 26, 9). The slow EMA is seeded with the SMA of bars 0..slow-1; the fast EMA is started
 * late, seeded with the SMA of bars slow-fast..slow-1, so both are aligned at bar slow-1 (TA-Lib does this).
 * The signal EMA runs over the MACD line, seeded with the SMA of its first `signal` values.
 * Lookback (slow-1)+(signal-1) = 33. Outputs macd, signal, hist = macd - signal.
 * update() returns this (read .macd/.signal/.hist) when warm, undefined before.
 */
export class Macd {
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
  readonly lookback: number;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private readonly kf: number;
  private readonly ks: number;
  private readonly kg: number;
  macd = Number.NaN;
  signalValue = Number.NaN;
  hist = Number.NaN;
  private n = 0;
  private fSum = 0;
  private sSum = 0;
  private gSum = 0;
  private fEma = Number.NaN;
  private sEma = Number.NaN;
  private gEma = Number.NaN;
  private u = new Float64Array(9);

  constructor(fast = 12, slow = 26, signal = 9, opts?: PriceOptions) {
    checkPeriod(fast, 2, "fast");
    checkPeriod(slow, 2, "slow");
    checkPeriod(signal, 1, "signal");
    if (slow < fast) [fast, slow] = [slow, fast]; // TA-Lib swaps them
    this.fast = fast;
    this.slow = slow;
    this.signal = signal;
    this.lookback = slow - 1 + (signal - 1);
    this.kf = 2 / (fast + 1);
    this.ks = 2 / (slow + 1);
    this.kg = 2 / (signal + 1);
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }

  get isWarm(): boolean {
    return this.n > this.lookback;
  }

  update(x: number): this | undefined {
    checkPrice("close", x, this.floor);
    return this.step(x);
  }

  replace(x: number): this | undefined {
    checkPrice("close", x, this.floor);
    if (this.n > 0) this.undo();
    return this.step(x);
  }

  private undo(): void {
    const u = this.u;
    this.n--;
    this.fSum = u[0]!;
    this.sSum = u[1]!;
    this.gSum = u[2]!;
    this.fEma = u[3]!;
    this.sEma = u[4]!;
    this.gEma = u[5]!;
    this.macd = u[6]!;
    this.signalValue = u[7]!;
    this.hist = u[8]!;
  }

  /** @internal Advances by one input without validating it (the caller already did). */
  step(x: number): this | undefined {
    const u = this.u;
    u[0] = this.fSum;
    u[1] = this.sSum;
    u[2] = this.gSum;
    u[3] = this.fEma;
    u[4] = this.sEma;
    u[5] = this.gEma;
    u[6] = this.macd;
    u[7] = this.signalValue;
    u[8] = this.hist;
    const slow = this.slow;
    const n = ++this.n;
    let f: number;
    let s: number;
    if (n <= slow) {
      this.sSum += x;
      if (n > slow - this.fast) this.fSum += x;
      if (n < slow) return undefined;
      f = this.fSum / this.fast;
      s = this.sSum / slow;
    } else {
      f = this.fEma;
      s = this.sEma;
      f = (x - f) * this.kf + f;
      s = (x - s) * this.ks + s;
    }
    this.fEma = f;
    this.sEma = s;
    const m = f - s;
    const j = n - slow + 1;
    let g: number;
    if (j <= this.signal) {
      this.gSum += m;
      if (j < this.signal) return undefined;
      g = this.gSum / this.signal;
    } else {
      g = this.gEma;
      g = (m - g) * this.kg + g;
    }
    this.gEma = g;
    this.macd = m;
    this.signalValue = g;
    this.hist = m - g;
    return this;
  }

  toJSON(): MacdState {
    return {
      kind: "macd",
      fast: this.fast,
      slow: this.slow,
      signal: this.signal,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      s: [this.fSum, this.sSum, this.gSum, this.fEma, this.sEma, this.gEma, this.macd, this.signalValue, this.hist].map(
        enc,
      ),
      undo: Array.from(this.u, enc),
    };
  }

  static fromJSON(st: MacdState): Macd {
    checkState(st?.kind === "macd", "macd");
    const r = new Macd(st.fast, st.slow, st.signal, { allowNonPositive: st.allowNonPositive });
    r.n = st.n;
    const s = st.s.map(dec);
    r.fSum = s[0]!;
    r.sSum = s[1]!;
    r.gSum = s[2]!;
    r.fEma = s[3]!;
    r.sEma = s[4]!;
    r.gEma = s[5]!;
    r.macd = s[6]!;
    r.signalValue = s[7]!;
    r.hist = s[8]!;
    r.u.set(st.undo.map(dec));
    return r;
  }
}

export interface MacdSeries {
  macd: Float64Array;
  signal: Float64Array;
  hist: Float64Array;
}

/**
 * Batch MACD: NaN during warm-up. Its own loop doing exactly Macd.step()'s operations in the same order (SMA seeds,
 * late-started fast EMA, signal EMA of the MACD line); batch === streaming (Object.is) is tested on 100,000 bars.
 */
export function macd(values: Series, fast = 12, slow = 26, signal = 9, opts?: PriceOptions): MacdSeries {
  checkPeriod(fast, 2, "fast");
  checkPeriod(slow, 2, "slow");
  checkPeriod(signal, 1, "signal");
  if (slow < fast) [fast, slow] = [slow, fast]; // TA-Lib swaps them
  const len = values.length;
  checkPrices("close", values, priceFloor(opts));
  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  const kg = 2 / (signal + 1);
  const lb = slow - 1 + (signal - 1);
  const mo = new Float64Array(len);
  const so = new Float64Array(len);
  const ho = new Float64Array(len);
  let fSum = 0;
  let sSum = 0;
  let gSum = 0;
  let f = Number.NaN;
  let s = Number.NaN;
  let g = Number.NaN;
  const fastFrom = slow - fast;
  let i = 0;
  // bars 0..slow-2: the SMA seeds' sums (the fast one from bar slow-fast)
  for (const end = Math.min(slow - 1, len); i < end; i++) {
    const x = values[i]!;
    sSum += x;
    if (i >= fastFrom) fSum += x;
    mo[i] = so[i] = ho[i] = Number.NaN;
  }
  // bars slow-1..lb: seeds at slow-1, then both EMAs; the MACD line's sum seeds the signal EMA at lb
  for (; i < len && i <= lb; i++) {
    const x = values[i]!;
    if (i === slow - 1) {
      sSum += x;
      fSum += x;
      f = fSum / fast;
      s = sSum / slow;
    } else {
      f = (x - f) * kf + f;
      s = (x - s) * ks + s;
    }
    const m = f - s;
    gSum += m;
    if (i < lb) {
      mo[i] = so[i] = ho[i] = Number.NaN;
      continue;
    }
    g = gSum / signal;
    mo[i] = m;
    so[i] = g;
    ho[i] = m - g;
  }
  for (; i < len; i++) {
    const x = values[i]!;
    f = (x - f) * kf + f;
    s = (x - s) * ks + s;
    const m = f - s;
    g = (m - g) * kg + g;
    mo[i] = m;
    so[i] = g;
    ho[i] = m - g;
  }
  return { macd: mo, signal: so, hist: ho };
}
