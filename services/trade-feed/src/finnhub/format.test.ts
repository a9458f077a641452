import { parseTrade } from "@quant/core";
import { describe, expect, it } from "vitest";
import { FinnhubFormatError, FinnhubTrades, finnhubInstrument, parseFinnhubMessage } from "./format.ts";

describe("Finnhub's trade-stream format", () => {
  it("reads trade, ping and error messages; other types are named, not fatal", () => {
    const trade = '{"type":"trade","data":[{"s":"AAPL","p":189.2,"t":1704207600123,"v":100,"c":["1","12"]}]}';
    expect(parseFinnhubMessage(trade)).toEqual({
      type: "trade",
      data: [{ s: "AAPL", p: 189.2, t: 1704207600123, v: 100, c: ["1", "12"] }],
    });
    expect(parseFinnhubMessage('{"type":"ping"}')).toEqual({ type: "ping" });
    expect(parseFinnhubMessage('{"type":"error","msg":"Subscribing to too many symbols"}')).toEqual({
      type: "error",
      message: "Subscribing to too many symbols",
    });
    expect(parseFinnhubMessage('{"type":"news","data":[]}')).toEqual({ type: "other", name: "news" });
  });

  it("refuses what is not in the format, saying why", () => {
    expect(() => parseFinnhubMessage("{")).toThrow(FinnhubFormatError);
    expect(() => parseFinnhubMessage("[]")).toThrow(/expected a JSON object/);
    expect(() => parseFinnhubMessage('{"type":"trade","data":{}}')).toThrow(/without a data array/);
    expect(() => parseFinnhubMessage('{"type":"trade","data":[1]}')).toThrow(/not an object/);
    expect(() => parseFinnhubMessage('{"data":[]}')).toThrow(/without a type/);
  });

  it("maps symbols to asset class, venue and quote currency", () => {
    expect(finnhubInstrument("AAPL")).toEqual({ assetClass: "equity", exchange: "US", currency: "USD" });
    expect(finnhubInstrument("BINANCE:BTCUSDT")).toEqual({
      assetClass: "crypto",
      exchange: "BINANCE",
      currency: "USDT",
    });
    expect(finnhubInstrument("COINBASE:ETH-USD")).toMatchObject({ exchange: "COINBASE", currency: "USD" });
    expect(finnhubInstrument("KRAKEN:XYZ")).toMatchObject({ currency: "UNKNOWN" });
  });

  it("makes trade messages v1 with per-symbol ids, carrying a broken print as sent (the aggregator refuses it)", () => {
    const prints = new FinnhubTrades(Date.UTC(2024, 0, 2));
    const a = prints.toTrade({ s: "AAPL", p: 189.2, t: 1704207600123, v: 100, c: ["1"] }, 1704207600150);
    const b = prints.toTrade({ s: "AAPL", p: 189.3, t: 1704207600124, v: 50, c: null }, 1704207600151);
    const c = prints.toTrade({ s: "BINANCE:BTCUSDT", p: 42000.5, t: 1704207600125, v: 0.01 }, 1704207600152);
    expect(parseTrade(a.trade)).toMatchObject({ symbol: "AAPL", price: 189.2, size: 100, ingestTs: 1704207600150 });
    expect([a.trade.id, b.trade.id, c.trade.id]).toEqual(["lqvl1xc0-1", "lqvl1xc0-2", "lqvl1xc0-1"]);
    expect(b.trade.conditions).toEqual([]);
    expect(parseTrade(c.trade)).toMatchObject({ assetClass: "crypto", exchange: "BINANCE", currency: "USDT" });
    const zero = prints.toTrade({ s: "AAPL", p: 189.2, t: 1704207600126, v: 0 }, 1704207600153);
    expect(() => parseTrade(zero.trade)).toThrow(/size: expected a number > 0/);
  });
});
