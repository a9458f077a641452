import {
  type CandleDocument,
  candlesCollection,
  type FormingCandlesDocument,
  formingCandlesCollection,
  replaceById,
  writeCandles,
} from "@quant/core";
import { describe, expect, it } from "vitest";
import { useTestApi } from "./test-data.ts";

const { api, get } = useTestApi();

const T = Date.UTC(2024, 0, 2, 12, 0, 0);
const candle = (symbol: string, width: string, ts: number, close: number): Omit<CandleDocument, "_id"> => ({
  symbol,
  assetClass: "crypto",
  width,
  ts: new Date(ts),
  open: 10,
  high: 12,
  low: 9,
  close,
  volume: 3,
  vwap: 10.5,
  trades: 7,
  exchange: "BINANCE",
  currency: "USDT",
  source: "finnhub",
  ingestTs: new Date(ts + 500),
  processedTs: new Date(ts + 600),
});

/** A symbol's forming candles document, its widths in the order given. */
const forming = (symbol: string, widths: [string, number, number][]): FormingCandlesDocument => ({
  _id: symbol,
  ...candle(symbol, "1s", T, 0),
  candles: widths.map(([width, ts, close]) => {
    const {
      symbol: _s,
      assetClass: _a,
      exchange: _e,
      currency: _c,
      source: _o,
      processedTs: _p,
      ...c
    } = candle(symbol, width, ts, close);
    return { ...c, end: new Date(ts + 10_000) };
  }),
});

describe("trade candle routes", () => {
  it("serves the forming candles, by symbol and in width order, and the last closed candles oldest first", async () => {
    await replaceById(formingCandlesCollection(api().mongo.db), [
      forming("BINANCE:BTCUSDT", [
        ["1m", T, 11],
        ["1s", T + 9_000, 11.5],
      ]),
      forming("SYN-ETH", [["10s", T, 20]]),
    ]);
    const all = await get("/api/candles/forming");
    expect(all.status).toBe(200);
    expect(all.body.candles.map((c: { symbol: string; width: string }) => `${c.symbol} ${c.width}`)).toEqual([
      "BINANCE:BTCUSDT 1s",
      "BINANCE:BTCUSDT 1m",
      "SYN-ETH 10s",
    ]);
    const one = await get("/api/candles/forming?symbol=BINANCE:BTCUSDT");
    expect(one.body.candles[0]).toMatchObject({ close: 11.5, trades: 7, source: "finnhub", exchange: "BINANCE" });

    await writeCandles(
      candlesCollection(api().mongo.db),
      Array.from({ length: 5 }, (_, i) => ({
        ...candle("SYN-ETH", "10s", T + i * 10_000, 20 + i),
        _id: `SYN-ETH|10s|${new Date(T + i * 10_000).toISOString()}`,
      })),
    );
    const closed = await get("/api/candles?symbol=SYN-ETH&width=10s&limit=3");
    expect(closed.body.count).toBe(3);
    expect(closed.body.candles.map((c: { close: number }) => c.close)).toEqual([22, 23, 24]);
  });

  it("refuses bad queries, naming the parameter", async () => {
    for (const url of [
      "/api/candles/forming?symbol[$ne]=x",
      "/api/candles/forming?symbol=a%20b",
      "/api/candles?symbol=SYN-ETH&width=7x",
      "/api/candles?symbol=SYN-ETH&limit=0",
      "/api/candles?width=1s",
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(typeof r.body.error).toBe("string");
    }
  });
});
