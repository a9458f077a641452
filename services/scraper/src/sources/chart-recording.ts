// Yahoo chart exchanges in the current recording format (shared/fixtures/yahoo/README.md), built from bars: what the
// generated recordings (synthetic) and the recordings converted from real data files are written as, so that both
// take the scraper's normal path (replay fetch -> yahoo-finance2 -> normalise).
import { DAY_MS, dateToEpochMs } from "@quant/core";

export interface ChartRow {
  /** Bar-open time, epoch ms. */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adjClose?: number | null;
}

export interface ChartMeta {
  symbol: string;
  /** Yahoo interval: 1m, 5m, 1h, 1d, 1mo… */
  interval: string;
  currency: string;
  exchangeName: string;
  instrumentType: string;
  exchangeTimezoneName: string;
}

/** Response headers naming where a recording came from (the replay source reads `x-generated-by`). */
export type ProvenanceHeaders = { "x-generated-by": string } | { "x-converted-from": string };

/** One chart exchange covering the UTC dates [from, to] (period2 = to + 1 day, as Yahoo's date-based requests). */
export function chartExchange(
  meta: ChartMeta,
  rows: readonly ChartRow[],
  window: { from: string; to: string },
  provenance: ProvenanceHeaders,
): object {
  const period1 = dateToEpochMs(window.from) / 1000;
  const period2 = (dateToEpochMs(window.to) + DAY_MS) / 1000;
  const last = rows.at(-1);
  const sec = (ms: number) => Math.floor(ms / 1000);
  const tp = { timezone: meta.exchangeTimezoneName, start: period2 - 86_400, end: period2, gmtoffset: 0 };
  const quote = {
    open: rows.map((r) => r.open),
    high: rows.map((r) => r.high),
    low: rows.map((r) => r.low),
    close: rows.map((r) => r.close),
    volume: rows.map((r) => r.volume),
  };
  const daily = meta.interval === "1d" || meta.interval.endsWith("mo") || meta.interval.endsWith("wk");
  const withAdj = daily && rows.every((r) => r.adjClose !== undefined && r.adjClose !== null);
  const url =
    `https://query2.finance.yahoo.com/v8/finance/chart/${meta.symbol}?useYfid=true&interval=${meta.interval}` +
    `&includePrePost=false&events=div%7Csplit&lang=en-US&period1=${period1}&period2=${period2}`;
  return {
    request: { url, method: "GET", headers: { cookie: "" } },
    response: {
      ok: true,
      status: 200,
      statusText: "OK",
      headers: { "content-type": "application/json;charset=utf-8", ...provenance },
      bodyJson: {
        chart: {
          result: [
            {
              meta: {
                currency: meta.currency,
                symbol: meta.symbol,
                exchangeName: meta.exchangeName,
                fullExchangeName: meta.exchangeName,
                instrumentType: meta.instrumentType,
                firstTradeDate: rows[0] ? sec(rows[0].ts) : period1,
                regularMarketTime: last ? sec(last.ts) : period2,
                hasPrePostMarketData: false,
                gmtoffset: 0,
                timezone: meta.exchangeTimezoneName === "UTC" ? "UTC" : "EST",
                exchangeTimezoneName: meta.exchangeTimezoneName,
                regularMarketPrice: last?.close ?? 1,
                chartPreviousClose: rows[0]?.open ?? 1,
                priceHint: 2,
                currentTradingPeriod: { pre: tp, regular: tp, post: tp },
                dataGranularity: meta.interval,
                range: "",
                validRanges: ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
              },
              timestamp: rows.map((r) => sec(r.ts)),
              indicators: withAdj
                ? { quote: [quote], adjclose: [{ adjclose: rows.map((r) => r.adjClose) }] }
                : { quote: [quote] },
            },
          ],
          error: null,
        },
      },
    },
  };
}
