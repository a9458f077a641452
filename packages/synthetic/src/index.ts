// Synthetic market bars: geometric Brownian motion on the real trading calendars, deterministic by seed.
// Pure (no I/O): feeds load tests, benchmarks, the offline demo and the generated Yahoo recordings.
//
// Determinism is per bar, not per run: the daily price level is a GBM path anchored at 2000-01-01 whose
// steps are hashed from (seed, symbol, day), and a day's intraday path is hashed from (seed, symbol,
// interval, day). So the bar at a given (symbol, interval, ts) is the same whatever window asks for it,
// and overlapping re-runs agree.
import {
  type AssetClass,
  type Bar,
  barId,
  barTimesOfDate,
  DAY_MS,
  dateInZone,
  datesBetween,
  dateToEpochMs,
  epochMsToDate,
  type Interval,
  isoUtc,
} from "@quant/core";

export interface AssetProfile {
  /** Annualised volatility of the GBM. */
  volatility: number;
  /** Annualised drift. */
  drift: number;
  /** Typical volume of a daily bar. */
  dailyVolume: number;
  currency: string;
  exchange: string;
  /** Time zone of the trading date. */
  timeZone: string;
  /** Starting level range at the anchor date. */
  priceRange: readonly [number, number];
}

export const ASSET_PROFILES: Record<AssetClass, AssetProfile> = {
  equity: {
    volatility: 0.3,
    drift: 0.07,
    dailyVolume: 30e6,
    currency: "USD",
    exchange: "NMS",
    timeZone: "America/New_York",
    priceRange: [20, 400],
  },
  crypto: {
    volatility: 0.75,
    drift: 0.2,
    dailyVolume: 2e9,
    currency: "USD",
    exchange: "CCC",
    timeZone: "UTC",
    priceRange: [0.2, 40_000],
  },
  // Treasury yield indices (^TNX…): levels in percent, no volume.
  bond: {
    volatility: 0.2,
    drift: 0,
    dailyVolume: 0,
    currency: "USD",
    exchange: "CGI",
    timeZone: "America/Chicago",
    priceRange: [0.5, 6],
  },
};

export interface SyntheticOptions {
  seed?: number;
  /** Share of bars left out (a gap in the series), 0..1. Default 0.002. */
  gapRate?: number;
  /** Share of bars with a spike in high or low (still a valid bar), 0..1. Default 0.001. */
  outlierRate?: number;
  /** ingestTs of every bar; default the anchor-free constant below, so output is byte-stable. */
  ingestTs?: string;
  source?: Bar["source"];
}

const ANCHOR_DAY = Math.floor(Date.UTC(2000, 0, 1) / DAY_MS);
const DEFAULT_INGEST_TS = "2000-01-01T00:00:00.000Z";

// --- deterministic randomness ---

/** FNV-1a over a string, then mixed: a 32-bit seed for a stream. */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join("\u0000")) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** mulberry32: small, fast, good enough for simulation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): number {
  // Box-Muller; 1 - u keeps the log finite.
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

// --- the generator ---

/** Generates bars of many symbols; keeps the per-symbol daily levels it has computed. */
export class SyntheticMarket {
  readonly seed: number;
  readonly gapRate: number;
  readonly outlierRate: number;
  readonly ingestTs: string;
  readonly source: Bar["source"];
  #levels = new Map<string, Float64Array>();

  constructor(opts: SyntheticOptions = {}) {
    this.seed = opts.seed ?? 42;
    this.gapRate = opts.gapRate ?? 0.002;
    this.outlierRate = opts.outlierRate ?? 0.001;
    this.ingestTs = opts.ingestTs ?? DEFAULT_INGEST_TS;
    this.source = opts.source ?? "synthetic";
  }

  /** Close level of a symbol at the end of a day (days since epoch), by the daily GBM from the anchor. */
  dailyClose(symbol: string, assetClass: AssetClass, day: number): number {
    const key = `${assetClass}|${symbol}`;
    let levels = this.#levels.get(key);
    const need = Math.max(day - ANCHOR_DAY + 1, 1);
    if (!levels || levels.length < need) {
      const p = ASSET_PROFILES[assetClass];
      const grown = new Float64Array(Math.max(need, (levels?.length ?? 0) * 2, 512));
      const start = levels?.length ?? 0;
      if (levels) grown.set(levels);
      let logP =
        start === 0
          ? Math.log(p.priceRange[0]) +
            rng(hashSeed(this.seed, symbol, "p0"))() * Math.log(p.priceRange[1] / p.priceRange[0])
          : Math.log(grown[start - 1] ?? 1);
      const dt = 1 / 365;
      for (let i = start; i < grown.length; i++) {
        const z = gaussian(rng(hashSeed(this.seed, symbol, "d", ANCHOR_DAY + i)));
        logP += (p.drift - (p.volatility * p.volatility) / 2) * dt + p.volatility * Math.sqrt(dt) * z;
        grown[i] = Math.exp(logP);
      }
      levels = grown;
      this.#levels.set(key, levels);
    }
    return levels[Math.max(day - ANCHOR_DAY, 0)] ?? 1;
  }

  /** The bars of one symbol on one trading date (UTC date for crypto), in time order. */
  barsOfDate(symbol: string, assetClass: AssetClass, interval: Interval, date: string): Bar[] {
    const times = barTimesOfDate(assetClass, interval, date);
    if (times.length === 0) return [];
    const p = ASSET_PROFILES[assetClass];
    const day = Math.floor(dateToEpochMs(date) / DAY_MS);
    const prevClose = this.dailyClose(symbol, assetClass, day - 1);
    const close = this.dailyClose(symbol, assetClass, day);
    const next = rng(hashSeed(this.seed, symbol, interval, day));
    const decimals = prevClose < 1 ? 6 : prevClose < 10 ? 4 : 2;
    const round = (x: number) => Number(x.toFixed(decimals));
    const out: Bar[] = [];
    const n = times.length;
    // Intraday: a random walk from the previous close drifting to the day's close (a Brownian bridge).
    const sigmaBar = p.volatility * Math.sqrt(1 / 365 / n);
    let level = prevClose;
    for (let i = 0; i < n; i++) {
      const t = times[i] ?? 0;
      const remaining = n - i;
      const target = Math.log(close / level) / remaining;
      const open = level;
      const last = i === n - 1 ? close : level * Math.exp(target + sigmaBar * gaussian(next));
      const wick = () => Math.abs(gaussian(next)) * sigmaBar * 0.5;
      let high = Math.max(open, last) * (1 + wick());
      let low = Math.min(open, last) * (1 - wick());
      const u = next();
      if (next() < this.outlierRate) {
        // A fat-fingered print: a 5 to 15 sigma wick, so outlier filters have something to find.
        const spike = (5 + 10 * next()) * sigmaBar;
        if (u < 0.5) high *= 1 + spike;
        else low *= Math.max(1 - spike, 0.5);
      }
      level = last;
      const volume = p.dailyVolume === 0 ? 0 : Math.round((p.dailyVolume / n) * Math.exp(0.5 * gaussian(next)));
      if (next() < this.gapRate) continue;
      const o = round(open);
      const c = round(last);
      const ts = isoUtc(t);
      out.push({
        v: 1,
        id: barId({ symbol, interval, ts }),
        symbol,
        assetClass,
        interval,
        ts,
        tradingDate: dateInZone(t, p.timeZone),
        open: o,
        high: Math.max(round(high), o, c),
        low: Math.min(round(low), o, c),
        close: c,
        adjClose: interval === "1d" ? c : null,
        volume,
        currency: p.currency,
        exchange: p.exchange,
        source: this.source,
        ingestTs: this.ingestTs,
        partial: false,
      });
    }
    return out;
  }

  /** Bars of one symbol whose trading date lies in [from, to] (both included), in time order. */
  bars(symbol: string, assetClass: AssetClass, interval: Interval, from: string, to: string): Bar[] {
    const out: Bar[] = [];
    for (const date of datesBetween(from, to)) {
      for (const b of this.barsOfDate(symbol, assetClass, interval, date)) out.push(b);
    }
    return out;
  }

  /**
   * For benchmarks: `count` consecutive bars for each symbol, starting at `from` and walking the
   * calendar forward (gaps still apply).
   */
  series(opts: {
    symbols: readonly string[];
    assetClass: AssetClass;
    interval: Interval;
    count: number;
    from?: string;
  }): Map<string, Bar[]> {
    const result = new Map<string, Bar[]>();
    for (const symbol of opts.symbols) {
      const out: Bar[] = [];
      let day = dateToEpochMs(opts.from ?? "2024-01-02");
      for (let guard = 0; out.length < opts.count && guard < 100_000; guard++, day += DAY_MS) {
        for (const b of this.barsOfDate(symbol, opts.assetClass, opts.interval, epochMsToDate(day))) {
          if (out.length >= opts.count) break;
          out.push(b);
        }
      }
      result.set(symbol, out);
    }
    return result;
  }
}

/** Interleaves per-symbol series into one stream in time order, as a live feed would deliver them. */
export function* interleave(series: Map<string, Bar[]>): Generator<Bar> {
  const all = [...series.values()].flat();
  all.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || a.symbol.localeCompare(b.symbol));
  yield* all;
}

/** Yields bars at a chosen rate (bars per second), for load tests against a live pipeline. */
export async function* paced(bars: Iterable<Bar>, barsPerSecond: number): AsyncGenerator<Bar> {
  const start = performance.now();
  let n = 0;
  for (const bar of bars) {
    const due = start + (n * 1000) / barsPerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    n++;
    yield bar;
  }
}
