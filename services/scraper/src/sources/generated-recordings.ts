// Recordings in the current fixture format for symbols Yahoo's project never recorded (Treasury indices,
// most coins, intraday equities), made from the synthetic market: deterministic by seed.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AssetClass, DAY_MS, dateToEpochMs, type Interval, UNIVERSE } from "@quant/core";
import { ASSET_PROFILES, SyntheticMarket } from "@quant/synthetic";
import type { Recording } from "./replay.ts";

/** The windows recorded per interval: wide enough to overlap the real recordings' dates. */
export const GENERATED_WINDOWS: Record<"1m" | "5m" | "1d", { from: string; to: string }> = {
  "1d": { from: "2019-01-01", to: "2024-12-31" },
  "5m": { from: "2024-09-30", to: "2024-10-11" },
  "1m": { from: "2024-09-30", to: "2024-10-06" },
};

const INSTRUMENT: Record<AssetClass, string> = { equity: "EQUITY", crypto: "CRYPTOCURRENCY", bond: "INDEX" };

/** A Yahoo chart exchange (current fixture format) for one symbol and interval. */
export function syntheticChartExchange(
  market: SyntheticMarket,
  symbol: string,
  assetClass: AssetClass,
  interval: Interval,
  from: string,
  to: string,
): object {
  const bars = market.bars(symbol, assetClass, interval, from, to);
  const profile = ASSET_PROFILES[assetClass];
  const period1 = dateToEpochMs(from) / 1000;
  const period2 = (dateToEpochMs(to) + DAY_MS) / 1000;
  const last = bars.at(-1);
  const sec = (iso: string) => Date.parse(iso) / 1000;
  const tp = { timezone: profile.timeZone, start: period2 - 86_400, end: period2, gmtoffset: 0 };
  const quote = {
    open: bars.map((b) => b.open),
    high: bars.map((b) => b.high),
    low: bars.map((b) => b.low),
    close: bars.map((b) => b.close),
    volume: bars.map((b) => b.volume),
  };
  const url =
    `https://query2.finance.yahoo.com/v8/finance/chart/${symbol}?useYfid=true&interval=${interval}` +
    `&includePrePost=false&events=div%7Csplit&lang=en-US&period1=${period1}&period2=${period2}`;
  return {
    request: { url, method: "GET", headers: { cookie: "" } },
    response: {
      ok: true,
      status: 200,
      statusText: "OK",
      headers: { "content-type": "application/json;charset=utf-8", "x-generated-by": "@quant/synthetic" },
      bodyJson: {
        chart: {
          result: [
            {
              meta: {
                currency: profile.currency,
                symbol,
                exchangeName: profile.exchange,
                fullExchangeName: profile.exchange,
                instrumentType: INSTRUMENT[assetClass],
                firstTradeDate: 946_684_800,
                regularMarketTime: last ? sec(last.ts) : period2,
                hasPrePostMarketData: false,
                gmtoffset: 0,
                timezone: profile.timeZone === "UTC" ? "UTC" : "EST",
                exchangeTimezoneName: profile.timeZone,
                regularMarketPrice: last?.close ?? 1,
                chartPreviousClose: bars[0]?.open ?? 1,
                priceHint: 2,
                currentTradingPeriod: { pre: tp, regular: tp, post: tp },
                dataGranularity: interval,
                range: "",
                validRanges: ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
              },
              timestamp: bars.map((b) => sec(b.ts)),
              indicators:
                interval === "1d" ? { quote: [quote], adjclose: [{ adjclose: quote.close }] } : { quote: [quote] },
            },
          ],
          error: null,
        },
      },
    },
  };
}

/**
 * Writes a recording for every (symbol, interval) of the universe that has no real recording.
 * Returns the file names written.
 */
export function generateRecordings(dir: string, seed: number, real: readonly Recording[]): string[] {
  mkdirSync(dir, { recursive: true });
  const market = new SyntheticMarket({ seed, gapRate: 0, outlierRate: 0, source: "replay" });
  const have = new Set(real.map((r) => `${r.symbol}|${r.interval}`));
  const written: string[] = [];
  for (const spec of Object.values(UNIVERSE)) {
    for (const symbol of spec.symbols) {
      for (const interval of ["1m", "5m", "1d"] as const) {
        if (!spec.intervals.includes(interval) || have.has(`${symbol}|${interval}`)) continue;
        have.add(`${symbol}|${interval}`);
        const { from, to } = GENERATED_WINDOWS[interval];
        const name = `chart-${symbol}-${from}-to-${to}-interval-${interval}.generated.json`;
        const exchange = syntheticChartExchange(market, symbol, spec.assetClass, interval, from, to);
        writeFileSync(join(dir, name), JSON.stringify(exchange));
        written.push(name);
      }
    }
  }
  return written;
}
