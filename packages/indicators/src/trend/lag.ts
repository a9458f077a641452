import { checkPeriod, checkPrice, checkState, type PriceOptions, priceFloor } from "../errors.ts";
import { dec, decArr, enc, encArr, type Num } from "../state.ts";

export interface LagState {
  kind: string;
  period: number;
  allowNonPositive: boolean;
  n: number;
  pos: number;
  out: Num;
  buf: Num[];
  undo: Num[];
}

/**
 * Shared core of ROC and MOM: keeps the last `period` values in a ring, so value[i - period] is read in O(1).
 * Lookback = period. Subclasses define the formula in `calc(x, old)`.
 */
export abstract class Lag {
  readonly period: number;
  readonly lookback: number;
  readonly allowNonPositive: boolean;
  protected readonly floor: number;
  protected readonly buf: Float64Array;
  protected n = 0;
  protected pos = 0;
  protected out = Number.NaN;
  private uSlot = 0;
  private uOut = Number.NaN;

  constructor(period: number, opts?: PriceOptions) {
    this.period = checkPeriod(period);
    this.lookback = period;
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
    this.buf = new Float64Array(period);
  }

  abstract readonly kind: string;
  protected abstract calc(x: number, old: number): number;

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
      this.pos = this.pos === 0 ? this.period - 1 : this.pos - 1;
      this.buf[this.pos] = this.uSlot;
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
    const pos = this.pos;
    const old = this.buf[pos]!;
    this.uSlot = old;
    this.uOut = this.out;
    this.buf[pos] = x;
    this.pos = pos + 1 === this.period ? 0 : pos + 1;
    if (this.n++ >= this.period) this.out = this.calc(x, old);
  }

  toJSON(): LagState {
    return {
      kind: this.kind,
      period: this.period,
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      pos: this.pos,
      out: enc(this.out),
      buf: encArr(this.buf),
      undo: [this.uSlot, enc(this.uOut)],
    };
  }

  protected load(s: LagState): this {
    checkState(s?.kind === this.kind, this.kind);
    this.n = s.n;
    this.pos = s.pos;
    this.out = dec(s.out);
    this.buf.set(decArr(s.buf, this.period));
    this.uSlot = dec(s.undo[0]);
    this.uOut = dec(s.undo[1]);
    return this;
  }
}
