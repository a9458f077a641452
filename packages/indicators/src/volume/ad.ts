import { checkHighLow, checkPrice, checkState, checkVolume, type PriceOptions, priceFloor } from "../errors.ts";
import type { Series } from "../state.ts";
import type { ObvState } from "./obv.ts";

/**
 * Chaikin accumulation/distribution line, TA-Lib AD. Lookback 0: ad += ((close-low) - (high-close)) / (high-low) *
 * volume, adding nothing when high == low.
 */
export class Ad {
  readonly lookback = 0;
  readonly allowNonPositive: boolean;
  private readonly floor: number;
  private n = 0;
  private ad = 0;
  private uAd = 0;

  constructor(opts?: PriceOptions) {
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }
  get isWarm(): boolean {
    return this.n > 0;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n > 0 ? this.ad : Number.NaN;
  }
  get value(): number | undefined {
    return this.n > 0 ? this.ad : undefined;
  }
  private check(high: number, low: number, close: number, volume: number): void {
    checkPrice("high", high, this.floor);
    checkPrice("low", low, this.floor);
    checkPrice("close", close, this.floor);
    checkVolume(volume);
    checkHighLow(high, low);
  }
  update(high: number, low: number, close: number, volume: number): number {
    this.check(high, low, close, volume);
    this.step(high, low, close, volume);
    return this.ad;
  }
  replace(high: number, low: number, close: number, volume: number): number {
    this.check(high, low, close, volume);
    if (this.n > 0) {
      this.n--;
      this.ad = this.uAd;
    }
    this.step(high, low, close, volume);
    return this.ad;
  }
  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(high: number, low: number, close: number, volume: number): void {
    let ad = this.ad;
    this.uAd = ad;
    this.n++;
    const range = high - low;
    if (range > 0) ad += ((close - low - (high - close)) / range) * volume;
    this.ad = ad;
  }
  toJSON(): ObvState {
    return { kind: "ad", allowNonPositive: this.allowNonPositive, n: this.n, s: [this.ad], undo: [this.uAd] };
  }
  static fromJSON(st: ObvState): Ad {
    checkState(st?.kind === "ad", "ad");
    const r = new Ad({ allowNonPositive: st.allowNonPositive });
    r.n = st.n;
    r.ad = st.s[0]!;
    r.uAd = st.undo[0]!;
    return r;
  }
}

export function ad(high: Series, low: Series, close: Series, volume: Series, opts?: PriceOptions): Float64Array {
  const ind = new Ad(opts);
  const out = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) out[i] = ind.update(high[i]!, low[i]!, close[i]!, volume[i]!);
  return out;
}
