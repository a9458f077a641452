import { checkPeriod, checkState, InvalidInputError, isPrice, type PriceOptions, priceFloor } from "../errors.ts";
import { cell, dec, decArr, enc, encArr, type Num, type Series } from "../state.ts";

/** A metric over two already aligned series (one (a, b) pair per timestamp). Wrap in Aligned to join by timestamp. */
export interface PairMetric {
  readonly kind: string;
  readonly lookback: number;
  /** Exclusive lower bound of valid inputs (0: prices must be > 0; -Infinity: any finite value). */
  readonly floor: number;
  readonly isWarm: boolean;
  readonly value: number | undefined;
  update(a: number, b: number): number | undefined;
  replace(a: number, b: number): number | undefined;
  toJSON(): PairState;
}

export interface PairState {
  kind: string;
  period: number;
  allowNonPositive: boolean;
  n: number;
  pos: number;
  s: Num[];
  buf: Num[];
  undo: Num[];
}

/**
 * Common ring-and-sums machinery. Subclasses implement `calc` on the current sums; inputs are validated by callers.
 * acc holds up to 6 running sums; the ring holds 2 numbers per entry.
 */
abstract class PairBase implements PairMetric {
  abstract readonly kind: string;
  readonly period: number;
  readonly lookback: number;
  readonly floor: number;
  readonly allowNonPositive: boolean;
  protected n = 0;
  protected pos = 0;
  protected readonly acc = new Float64Array(8);
  protected readonly buf: Float64Array;
  protected out = Number.NaN;
  private readonly u = new Float64Array(12);

  constructor(period: number, lookback: number, floor: number, allowNonPositive: boolean) {
    this.period = period;
    this.lookback = lookback;
    this.floor = floor;
    this.allowNonPositive = allowNonPositive;
    this.buf = new Float64Array(2 * Math.max(period, 1));
  }
  get isWarm(): boolean {
    return this.n > this.lookback;
  }
  get value(): number | undefined {
    return this.n > this.lookback ? this.out : undefined;
  }
  protected check(a: number, b: number): void {
    if (!isPrice(a, this.floor)) throwBad("a", a);
    if (!isPrice(b, this.floor)) throwBad("b", b);
  }
  update(a: number, b: number): number | undefined {
    this.check(a, b);
    return this.step(a, b);
  }
  replace(a: number, b: number): number | undefined {
    this.check(a, b);
    if (this.n > 0) {
      const u = this.u;
      this.n--;
      this.acc.set(u.subarray(0, 8));
      this.pos = u[8]!;
      this.buf[2 * this.pos] = u[9]!;
      this.buf[2 * this.pos + 1] = u[10]!;
      this.out = u[11]!;
    }
    return this.step(a, b);
  }
  private step(a: number, b: number): number | undefined {
    const u = this.u;
    const acc = this.acc;
    for (let k = 0; k < 8; k++) u[k] = acc[k]!;
    u[8] = this.pos;
    u[9] = this.buf[2 * this.pos]!;
    u[10] = this.buf[2 * this.pos + 1]!;
    u[11] = this.out;
    const out = this.calc(a, b, this.n++);
    this.out = out;
    return this.n > this.lookback ? out : undefined;
  }
  /** Consumes pair number i (0-based) and returns the output (ignored during warm-up). */
  protected abstract calc(a: number, b: number, i: number): number;

  toJSON(): PairState {
    return {
      kind: this.kind,
      period: this.period,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      pos: this.pos,
      s: [...encArr(this.acc), enc(this.out)],
      buf: encArr(this.buf),
      undo: encArr(this.u),
    };
  }
  protected load(st: PairState): this {
    checkState(st?.kind === this.kind, this.kind);
    this.n = st.n;
    this.pos = st.pos;
    this.acc.set(decArr(st.s, 8));
    this.out = dec(st.s[8]);
    this.buf.set(decArr(st.buf, this.buf.length));
    this.u.set(decArr(st.undo, 12));
    return this;
  }
}

function throwBad(field: string, x: unknown): never {
  throw new InvalidInputError(field, x, "must be a finite number (and > 0 unless non-positive values are allowed)");
}

const isZero = (v: number) => v > -1e-14 && v < 1e-14;

/**
 * Beta of `asset` against `benchmark`, TA-Lib BETA (inReal0 = benchmark, inReal1 = asset). Simple returns
 * (p - p_prev)/p_prev (0 when |p_prev| < 1e-14) over the last `period` pairs; beta = (n·Sxy - Sx·Sy)/(n·Sxx - Sx²),
 * 0 when the denominator is < 1e-14 in magnitude. Lookback = period. update(asset, benchmark).
 */
export class Beta extends PairBase {
  readonly kind = "beta";
  constructor(period = 20, opts?: PriceOptions) {
    super(checkPeriod(period), period, priceFloor(opts), opts?.allowNonPositive === true);
  }
  // acc: [Sxx, Sxy, Sx, Sy, lastX(bench), lastY(asset)]
  protected calc(asset: number, bench: number, i: number): number {
    const acc = this.acc;
    const lx = acc[4]!;
    const ly = acc[5]!;
    acc[4] = bench;
    acc[5] = asset;
    if (i === 0) return Number.NaN;
    const x = isZero(lx) ? 0 : (bench - lx) / lx;
    const y = isZero(ly) ? 0 : (asset - ly) / ly;
    acc[0]! += x * x;
    acc[1]! += x * y;
    acc[2]! += x;
    acc[3]! += y;
    const p = this.period;
    const buf = this.buf;
    let pos = this.pos;
    buf[2 * pos] = x;
    buf[2 * pos + 1] = y;
    pos = pos + 1 === p ? 0 : pos + 1;
    this.pos = pos;
    if (i < p) return Number.NaN;
    const tx = buf[2 * pos]!;
    const ty = buf[2 * pos + 1]!;
    const sx = acc[2]!;
    const den = p * acc[0]! - sx * sx;
    const out = isZero(den) ? 0 : (p * acc[1]! - sx * acc[3]!) / den;
    acc[0]! -= tx * tx;
    acc[1]! -= tx * ty;
    acc[2]! -= tx;
    acc[3]! -= ty;
    return out;
  }
  static fromJSON(st: PairState): Beta {
    return new Beta(st.period, { allowNonPositive: st.allowNonPositive }).load(st);
  }
}

/**
 * Pearson correlation of the raw inputs over the last `period` pairs, TA-Lib CORREL: running sums in TA-Lib's
 * order (subtract the trailing pair, then add the new one); 0 when the variance product is < 1e-14.
 * Lookback period-1. Feed returns (see ReturnCorrelation) for a correlation of returns.
 */
export class Correl extends PairBase {
  readonly kind: string = "correl";
  constructor(period = 30, opts?: PriceOptions) {
    super(
      checkPeriod(period, 2),
      period - 1,
      opts?.allowNonPositive === false ? 0 : -Infinity,
      opts?.allowNonPositive !== false,
    );
  }
  // acc: [Sx, Sx2, Sxy, Sy, Sy2]
  protected calc(x: number, y: number, i: number): number {
    const acc = this.acc;
    const buf = this.buf;
    const p = this.period;
    const pos = this.pos;
    if (i >= p) {
      const tx = buf[2 * pos]!;
      const ty = buf[2 * pos + 1]!;
      acc[0]! -= tx;
      acc[1]! -= tx * tx;
      acc[2]! -= tx * ty;
      acc[3]! -= ty;
      acc[4]! -= ty * ty;
    }
    acc[0]! += x;
    acc[1]! += x * x;
    acc[2]! += x * y;
    acc[3]! += y;
    acc[4]! += y * y;
    buf[2 * pos] = x;
    buf[2 * pos + 1] = y;
    this.pos = pos + 1 === p ? 0 : pos + 1;
    if (i < p - 1) return Number.NaN;
    const sx = acc[0]!;
    const sy = acc[3]!;
    const t = (acc[1]! - (sx * sx) / p) * (acc[4]! - (sy * sy) / p);
    return t < 1e-14 ? 0 : (acc[2]! - (sx * sy) / p) / Math.sqrt(t);
  }
  static fromJSON(st: PairState): Correl {
    return new Correl(st.period, { allowNonPositive: st.allowNonPositive }).load(st);
  }
}

/**
 * Rolling correlation of the two series' log returns (in percent, 100·ln(p/p_prev), so TA-Lib's absolute 1e-14 zero
 * threshold only bites for windows with essentially no movement), with CORREL's arithmetic over `period` returns.
 * Lookback = period. Prices must be > 0. Used for crypto/equity correlation (e.g. BTC-USD vs ^GSPC).
 */
export class ReturnCorrelation extends Correl {
  override readonly kind: string = "returnCorrelation";
  private lastA = Number.NaN;
  private lastB = Number.NaN;
  private uA = Number.NaN;
  private uB = Number.NaN;
  constructor(period = 30) {
    super(period, { allowNonPositive: false });
    (this as { lookback: number }).lookback = period;
  }
  protected override calc(a: number, b: number, i: number): number {
    this.uA = this.lastA;
    this.uB = this.lastB;
    const la = this.lastA;
    const lb = this.lastB;
    this.lastA = a;
    this.lastB = b;
    if (i === 0) return Number.NaN;
    return super.calc(100 * Math.log(a / la), 100 * Math.log(b / lb), i - 1);
  }
  override replace(a: number, b: number): number | undefined {
    this.check(a, b);
    if (this.n > 0) {
      this.lastA = this.uA;
      this.lastB = this.uB;
    }
    return super.replace(a, b);
  }
  override toJSON(): PairState {
    const s = super.toJSON();
    s.s.push(enc(this.lastA), enc(this.lastB), enc(this.uA), enc(this.uB));
    return s;
  }
  static override fromJSON(st: PairState): ReturnCorrelation {
    const r = new ReturnCorrelation(st.period).load(st);
    r.lastA = dec(st.s[9]);
    r.lastB = dec(st.s[10]);
    r.uA = dec(st.s[11]);
    r.uB = dec(st.s[12]);
    return r;
  }
}

/**
 * Spread a - b (lookback 0), e.g. yield-curve slope ^TNX - ^IRX or ^TYX - ^FVX, or a basis between two prices.
 * Any finite values are accepted (yields can be 0 or negative).
 */
export class Spread extends PairBase {
  readonly kind = "spread";
  constructor() {
    super(0, 0, -Infinity, true);
  }
  protected calc(a: number, b: number): number {
    return a - b;
  }
  static fromJSON(st: PairState): Spread {
    return new Spread().load(st);
  }
}

/** Runs a pair metric over two already aligned (same length, same timestamps) series. */
export function runPair(metric: PairMetric, a: Series, b: Series): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = cell(metric.update(a[i]!, b[i]!));
  return out;
}
