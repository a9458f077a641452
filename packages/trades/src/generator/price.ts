// Mid prices as geometric Brownian motion, sampled at each trade of the symbol (exact GBM step over the elapsed
// time), and trade prices on either side of the mid, rounded to a tick.
import { gaussian } from "@quant/synthetic";

const YEAR_MS = 365.25 * 86_400_000;

export class GbmMid {
  private logMid: number;
  private t: number;
  private readonly drift: number;
  private readonly volatility: number;

  constructor(start: number, t0: number, drift: number, volatility: number) {
    this.logMid = Math.log(start);
    this.t = t0;
    this.drift = drift;
    this.volatility = volatility;
  }

  /** The mid at time t (>= the last time asked). */
  at(t: number, next: () => number): number {
    const dt = (t - this.t) / YEAR_MS;
    if (dt > 0) {
      this.logMid +=
        (this.drift - (this.volatility * this.volatility) / 2) * dt + this.volatility * Math.sqrt(dt) * gaussian(next);
      this.t = t;
    }
    return Math.exp(this.logMid);
  }

  toJSON(): { logMid: number; t: number } {
    return { logMid: this.logMid, t: this.t };
  }
}

/** Decimals of a price level: 2 from 10 up, 4 from 1, 6 below (as the synthetic bars). */
export function priceDecimals(level: number): number {
  return level < 1 ? 6 : level < 10 ? 4 : 2;
}

/** A trade price: the mid plus or minus half the spread, rounded to its tick, never below one tick. */
export function tradePrice(mid: number, halfSpread: number, buy: boolean): number {
  const p = mid * (buy ? 1 + halfSpread : 1 - halfSpread);
  const scale = 10 ** priceDecimals(mid);
  return Math.max(Math.round(p * scale), 1) / scale;
}
