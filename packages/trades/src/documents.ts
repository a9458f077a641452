// Candles as MongoDB documents (closed and forming) and 1m candles as bar messages v1 (source `trades`), which take
// the bars' path: the stream processor enriches them, rolls them up, and reconcile compares them.
import {
  type Bar,
  type CandleDocument,
  candleId,
  dateInZone,
  epochMsToDate,
  type FormingCandlesDocument,
  INTERVAL_MS,
  isoUtc,
  makeBar,
  NEW_YORK,
} from "@quant/core";
import type { CandleData, CandleMeta } from "./candle.ts";
import type { Width } from "./width.ts";

/** A candle's window and market fields as stored, closed or forming. */
function market(c: CandleData) {
  return {
    ts: new Date(c.start),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    vwap: c.notional / c.volume,
    trades: c.trades,
    ingestTs: new Date(c.ingestTs),
  };
}

function fields(c: CandleData, width: Width, meta: CandleMeta, processedTs: Date): Omit<CandleDocument, "_id"> {
  return {
    symbol: c.symbol,
    assetClass: meta.assetClass,
    width: width.label,
    ...market(c),
    exchange: meta.exchange,
    currency: meta.currency,
    source: meta.source,
    processedTs,
  };
}

export function candleDocument(c: CandleData, width: Width, meta: CandleMeta, processedTs: Date): CandleDocument {
  return { _id: candleId(c.symbol, width.label, isoUtc(c.start)), ...fields(c, width, meta, processedTs) };
}

/** A symbol's forming candles (snapshots of its newest open window per width) as one document. */
export function formingCandlesDocument(
  symbol: string,
  candles: readonly CandleData[],
  widthOf: (ms: number) => Width,
  meta: CandleMeta,
  processedTs: Date,
): FormingCandlesDocument {
  return {
    _id: symbol,
    symbol,
    assetClass: meta.assetClass,
    exchange: meta.exchange,
    currency: meta.currency,
    source: meta.source,
    processedTs,
    candles: [...candles]
      .sort((a, b) => a.width - b.width)
      .map((c) => ({ width: widthOf(c.width).label, ...market(c), end: new Date(c.start + c.width) })),
  };
}

/** The candle width that becomes bars: 1 minute, the finest bar interval. */
export const BAR_WIDTH_MS = INTERVAL_MS["1m"];

/**
 * A closed 1m candle as a bar v1: id from core's barId over the canonical ts (isoUtc), trading date = the UTC date
 * for crypto and the New York date for equities (as the scraper's bars), source `trades`, final (partial false).
 */
export function candleBar(c: CandleData, meta: CandleMeta): Bar {
  if (c.width !== BAR_WIDTH_MS) throw new Error(`only 1m candles become bars, got a ${c.width} ms candle`);
  return makeBar({
    symbol: c.symbol,
    assetClass: meta.assetClass,
    interval: "1m",
    ts: isoUtc(c.start),
    tradingDate: meta.assetClass === "crypto" ? epochMsToDate(c.start) : dateInZone(c.start, NEW_YORK),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    adjClose: null,
    volume: c.volume,
    currency: meta.currency,
    exchange: meta.exchange,
    source: "trades",
    ingestTs: new Date(c.ingestTs).toISOString(),
    partial: false,
  });
}
