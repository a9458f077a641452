// The symbol universe of the original design. The scraper takes `--symbols` to narrow or widen it.
import type { AssetClass, Interval } from "./domain/market.ts";

export type ScrapeJob = "equities-eod" | "equities-intraday" | "crypto" | "bonds";

export interface JobSpec {
  job: ScrapeJob;
  assetClass: AssetClass;
  intervals: readonly Interval[];
  symbols: readonly string[];
}

export const UNIVERSE: Record<ScrapeJob, JobSpec> = {
  crypto: {
    job: "crypto",
    assetClass: "crypto",
    intervals: ["1m", "5m"],
    symbols: ["BTC-USD", "ETH-USD", "SOL-USD", "ADA-USD", "XRP-USD"],
  },
  "equities-intraday": {
    job: "equities-intraday",
    assetClass: "equity",
    intervals: ["5m"],
    symbols: ["AAPL", "MSFT", "AMZN", "TSLA", "NVDA"],
  },
  "equities-eod": {
    job: "equities-eod",
    assetClass: "equity",
    intervals: ["1d"],
    // The benchmarks of the cross-asset job's betas and correlations: S&P 500 and NASDAQ Composite.
    symbols: ["AAPL", "MSFT", "AMZN", "TSLA", "NVDA", "JPM", "XOM", "META", "GOOGL", "NFLX", "^GSPC", "^IXIC"],
  },
  bonds: {
    job: "bonds",
    assetClass: "bond",
    intervals: ["1d"],
    // Treasury yield proxies, in percent: 13-week, 5-year, 10-year, 30-year.
    symbols: ["^IRX", "^FVX", "^TNX", "^TYX"],
  },
};

/** Every distinct symbol of the universe with its asset class. */
export function universeSymbols(): { symbol: string; assetClass: AssetClass }[] {
  const seen = new Map<string, AssetClass>();
  for (const spec of Object.values(UNIVERSE)) for (const s of spec.symbols) seen.set(s, spec.assetClass);
  return [...seen].map(([symbol, assetClass]) => ({ symbol, assetClass }));
}

/** Every (symbol, interval) series the universe scrapes, with the asset class. */
export function universeSeries(): { symbol: string; interval: Interval; assetClass: AssetClass }[] {
  const out = new Map<string, { symbol: string; interval: Interval; assetClass: AssetClass }>();
  for (const spec of Object.values(UNIVERSE))
    for (const symbol of spec.symbols)
      for (const interval of spec.intervals)
        out.set(`${symbol}|${interval}`, { symbol, interval, assetClass: spec.assetClass });
  return [...out.values()];
}
