import { checkPrice, checkState, type PriceOptions, priceFloor } from "../errors.ts";
import { cell, dec, enc, type Num, type Series } from "../state.ts";

export interface SimpleState {
  kind: "logReturn" | "cumReturn" | "drawdown";
  allowNonPositive: boolean;
  n: number;
  s: Num[];
  undo: Num[];
}

/**
 * Shared core of the O(1) path metrics on one price series (all lookback per class, no window):
 * - logReturn: ln(p / p_prev), lookback 1;
 * - cumReturn: p / p_0 - 1 (p_0 = first price fed), lookback 0;
 * - drawdown: p / max(p_0..p) - 1 (<= 0) and maxDrawdown = min of drawdown so far (<= 0), lookback 0.
 * With allowNonPositive, a ratio involving a non-positive price is absent (undefined / NaN) for that bar; the
 * drawdown peak only tracks positive prices.
 */
export class PathMetric {
  readonly kind: "logReturn" | "cumReturn" | "drawdown";
  readonly lookback: number;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private n = 0;
  /** previous price (logReturn), first price (cumReturn) or running peak (drawdown). */
  protected ref = Number.NaN;
  private out = Number.NaN;
  /** maximum drawdown so far (drawdown only). */
  max = 0;
  private uRef = Number.NaN;
  private uOut = Number.NaN;
  private uMax = 0;

  constructor(kind: "logReturn" | "cumReturn" | "drawdown", opts?: PriceOptions) {
    this.kind = kind;
    this.lookback = kind === "logReturn" ? 1 : 0;
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }

  get isWarm(): boolean {
    return !Number.isNaN(this.out);
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.out;
  }
  get value(): number | undefined {
    return Number.isNaN(this.out) ? undefined : this.out;
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
      this.ref = this.uRef;
      this.out = this.uOut;
      this.max = this.uMax;
    }
    this.step(x);
    return this.value;
  }

  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(x: number): void {
    const ref = this.ref;
    this.uRef = ref;
    this.uOut = this.out;
    this.uMax = this.max;
    this.n++;
    let out = Number.NaN;
    if (this.kind === "logReturn") {
      if (ref > 0 && x > 0) out = Math.log(x / ref);
      this.ref = x;
    } else if (this.kind === "cumReturn") {
      if (this.n === 1) this.ref = x;
      if (this.ref > 0 && x > 0) out = x / this.ref - 1;
    } else if (x > 0) {
      if (!(ref >= x)) this.ref = x;
      out = x / this.ref - 1;
      if (out < this.max) this.max = out;
    }
    this.out = out;
  }

  toJSON(): SimpleState {
    return {
      kind: this.kind,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      s: [enc(this.ref), enc(this.out), this.max],
      undo: [enc(this.uRef), enc(this.uOut), this.uMax],
    };
  }

  protected load(st: SimpleState): this {
    checkState(st?.kind === this.kind, this.kind);
    this.n = st.n;
    this.ref = dec(st.s[0]);
    this.out = dec(st.s[1]);
    this.max = dec(st.s[2]);
    this.uRef = dec(st.undo[0]);
    this.uOut = dec(st.undo[1]);
    this.uMax = dec(st.undo[2]);
    return this;
  }
}

export class LogReturn extends PathMetric {
  constructor(opts?: PriceOptions) {
    super("logReturn", opts);
  }
  static fromJSON(s: SimpleState): LogReturn {
    return new LogReturn({ allowNonPositive: s.allowNonPositive }).load(s);
  }
}

export class CumReturn extends PathMetric {
  constructor(opts?: PriceOptions) {
    super("cumReturn", opts);
  }
  static fromJSON(s: SimpleState): CumReturn {
    return new CumReturn({ allowNonPositive: s.allowNonPositive }).load(s);
  }
}

/** Drawdown from the running peak (value) and maximum drawdown so far (.max), both <= 0. */
export class Drawdown extends PathMetric {
  constructor(opts?: PriceOptions) {
    super("drawdown", opts);
  }
  /** Most negative drawdown so far; absent until a positive price was seen. */
  /** @internal maxDrawdown, NaN while absent. */
  get maxRaw(): number {
    return this.ref > 0 ? this.max : Number.NaN;
  }
  get maxDrawdown(): number | undefined {
    return this.ref > 0 ? this.max : undefined;
  }
  static fromJSON(s: SimpleState): Drawdown {
    return new Drawdown({ allowNonPositive: s.allowNonPositive }).load(s);
  }
}

function run(ind: PathMetric, values: Series): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = cell(ind.update(values[i]!));
  return out;
}
export const logReturn = (values: Series, opts?: PriceOptions) => run(new LogReturn(opts), values);
export const cumReturn = (values: Series, opts?: PriceOptions) => run(new CumReturn(opts), values);
export function drawdown(values: Series, opts?: PriceOptions): { drawdown: Float64Array; maxDrawdown: Float64Array } {
  const ind = new Drawdown(opts);
  const dd = new Float64Array(values.length);
  const mdd = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    dd[i] = cell(ind.update(values[i]!));
    mdd[i] = cell(ind.maxDrawdown);
  }
  return { drawdown: dd, maxDrawdown: mdd };
}
