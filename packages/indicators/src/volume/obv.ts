import { checkPrice, checkState, checkVolume, type PriceOptions, priceFloor } from "../errors.ts";
import type { Series } from "../state.ts";

export interface ObvState {
  kind: "obv" | "ad";
  allowNonPositive: boolean;
  n: number;
  s: number[];
  undo: number[];
}

/**
 * On-balance volume, TA-Lib OBV. Lookback 0: OBV[0] = volume[0]; then + volume when close rises, - volume when it
 * falls, unchanged when equal.
 */
export class Obv {
  readonly lookback = 0;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private n = 0;
  private obv = 0;
  private prev = 0;
  private uObv = 0;
  private uPrev = 0;

  constructor(opts?: PriceOptions) {
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }
  get isWarm(): boolean {
    return this.n > 0;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n > 0 ? this.obv : Number.NaN;
  }
  get value(): number | undefined {
    return this.n > 0 ? this.obv : undefined;
  }
  update(close: number, volume: number): number {
    checkPrice("close", close, this.floor);
    checkVolume(volume);
    this.step(close, volume);
    return this.obv;
  }
  replace(close: number, volume: number): number {
    checkPrice("close", close, this.floor);
    checkVolume(volume);
    if (this.n > 0) {
      this.n--;
      this.obv = this.uObv;
      this.prev = this.uPrev;
    }
    this.step(close, volume);
    return this.obv;
  }
  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(close: number, volume: number): void {
    const prev = this.prev;
    let obv = this.obv;
    this.uObv = obv;
    this.uPrev = prev;
    if (this.n++ === 0) obv = volume;
    else if (close > prev) obv += volume;
    else if (close < prev) obv -= volume;
    this.prev = close;
    this.obv = obv;
  }
  toJSON(): ObvState {
    return {
      kind: "obv",
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      s: [this.obv, this.prev],
      undo: [this.uObv, this.uPrev],
    };
  }
  static fromJSON(st: ObvState): Obv {
    checkState(st?.kind === "obv", "obv");
    const r = new Obv({ allowNonPositive: st.allowNonPositive });
    r.n = st.n;
    [r.obv, r.prev] = st.s as [number, number];
    [r.uObv, r.uPrev] = st.undo as [number, number];
    return r;
  }
}

export function obv(close: Series, volume: Series, opts?: PriceOptions): Float64Array {
  const ind = new Obv(opts);
  const out = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) out[i] = ind.update(close[i]!, volume[i]!);
  return out;
}
