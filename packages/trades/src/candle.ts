// One OHLCV candle of one symbol and width, built from trades in event time.
//
// Open and close follow event time, not arrival: open is the trade with the smallest ts (the first to arrive among
// equal ts), close the one with the largest ts (the last to arrive among equal ts). So an out-of-order trade within
// the allowed lateness lands where it happened. Volume and notional are summed in arrival order (floating-point
// sums depend on order; the batch recomputation replays the same order).
import type { Trade, TradeAssetClass, TradeSource } from "@quant/core";

/** What every candle of a symbol carries besides prices: taken from the symbol's first trade. */
export interface CandleMeta {
  assetClass: TradeAssetClass;
  exchange: string;
  currency: string;
  source: TradeSource;
}

export class Candle {
  symbol: string;
  /** Width in ms. */
  width: number;
  /** Window start, epoch ms (the candle's ts). */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Sum of sizes. */
  volume: number;
  /** Sum of price × size (vwap = notional / volume). */
  notional: number;
  trades: number;
  /** Event times of the open and close trades. */
  openTs: number;
  closeTs: number;
  /** The latest ingestTs of its trades. */
  ingestTs: number;

  constructor(d: CandleData) {
    this.symbol = d.symbol;
    this.width = d.width;
    this.start = d.start;
    this.open = d.open;
    this.high = d.high;
    this.low = d.low;
    this.close = d.close;
    this.volume = d.volume;
    this.notional = d.notional;
    this.trades = d.trades;
    this.openTs = d.openTs;
    this.closeTs = d.closeTs;
    this.ingestTs = d.ingestTs;
  }

  static first(t: Trade, width: number, start: number): Candle {
    return new Candle({
      symbol: t.symbol,
      width,
      start,
      open: t.price,
      high: t.price,
      low: t.price,
      close: t.price,
      volume: t.size,
      notional: t.price * t.size,
      trades: 1,
      openTs: t.ts,
      closeTs: t.ts,
      ingestTs: t.ingestTs,
    });
  }

  add(t: Trade): void {
    const p = t.price;
    if (t.ts < this.openTs) {
      this.open = p;
      this.openTs = t.ts;
    }
    if (t.ts >= this.closeTs) {
      this.close = p;
      this.closeTs = t.ts;
    }
    if (p > this.high) this.high = p;
    if (p < this.low) this.low = p;
    this.volume += t.size;
    this.notional += p * t.size;
    this.trades++;
    if (t.ingestTs > this.ingestTs) this.ingestTs = t.ingestTs;
  }

  /** A copy that later trades do not change (forming candles are written after the batch moved on). */
  snapshot(): CandleData {
    return { ...this };
  }
}

/** A candle as plain data (closed candles, forming snapshots, saved state). */
export type CandleData = {
  [K in keyof Candle as Candle[K] extends (...args: never[]) => unknown ? never : K]: Candle[K];
};
