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

/** A real daily close of a symbol: generated levels are pinned to it (see SyntheticMarket.dailyClose). */
export interface LevelAnchor {
  /** Trading date (UTC calendar day of the close). */
  date: string;
  close: number;
}

/**
 * Treasury yield indices and their maturities in years. Their levels come from one curve model (yieldCurve), so the
 * four always keep the usual upward-sloping order (13 weeks < 5 years < 10 years < 30 years).
 */
export const YIELD_CURVE_MATURITIES: Readonly<Record<string, number>> = {
  "^IRX": 0.25,
  "^FVX": 5,
  "^TNX": 10,
  "^TYX": 30,
};

export interface SyntheticOptions {
  seed?: number;
  /**
   * Real daily closes per symbol. The generated level path is multiplied by a correction that makes it pass through
   * every anchor exactly, interpolated log-linearly between two anchors (a bridge) and held flat before the first and
   * after the last (the path continues from the last real level). Symbols without anchors keep the free GBM path.
   */
  anchors?: Readonly<Record<string, readonly LevelAnchor[]>>;
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

/** A standard normal draw from a uniform source. */
export function gaussian(next: () => number): number {
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
  #curve: Float64Array[] | null = null;
  /** Per anchored symbol: anchor days (days since epoch) and the log correction at each, in day order. */
  #anchors = new Map<string, { days: number[]; logClose: number[] }>();

  constructor(opts: SyntheticOptions = {}) {
    this.seed = opts.seed ?? 42;
    this.gapRate = opts.gapRate ?? 0.002;
    this.outlierRate = opts.outlierRate ?? 0.001;
    this.ingestTs = opts.ingestTs ?? DEFAULT_INGEST_TS;
    this.source = opts.source ?? "synthetic";
    for (const [symbol, list] of Object.entries(opts.anchors ?? {})) {
      const sorted = [...list]
        .filter((a) => Number.isFinite(a.close) && a.close > 0)
        .sort((a, b) => a.date.localeCompare(b.date));
      if (sorted.length === 0) continue;
      this.#anchors.set(symbol, {
        days: sorted.map((a) => Math.floor(dateToEpochMs(a.date) / DAY_MS)),
        logClose: sorted.map((a) => Math.log(a.close)),
      });
    }
  }

  /** The first and last anchored trading dates of a symbol, or null when it has none. */
  anchoredSpan(symbol: string): { from: string; to: string } | null {
    const a = this.#anchors.get(symbol);
    if (!a) return null;
    return { from: epochMsToDate(a.days[0]! * DAY_MS), to: epochMsToDate(a.days.at(-1)! * DAY_MS) };
  }

  /**
   * Close level of a symbol at the end of a day (days since epoch): a Treasury yield from the curve model, else the
   * daily GBM from 2000-01-01, pinned to the symbol's real closes when it has anchors.
   */
  dailyClose(symbol: string, assetClass: AssetClass, day: number): number {
    const maturity = YIELD_CURVE_MATURITIES[symbol];
    if (assetClass === "bond" && maturity !== undefined) return this.yieldCurve(day)[maturity]!;
    const free = this.#freeClose(symbol, assetClass, day);
    const a = this.#anchors.get(symbol);
    if (!a) return free;
    const correction = (i: number) => a.logClose[i]! - Math.log(this.#freeClose(symbol, assetClass, a.days[i]!));
    // The last anchor at or before the day (binary search), and the next one.
    let lo = 0;
    let hi = a.days.length - 1;
    if (day <= a.days[0]!) return free * Math.exp(correction(0));
    if (day >= a.days[hi]!) return free * Math.exp(correction(hi));
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (a.days[mid]! <= day) lo = mid;
      else hi = mid;
    }
    const w = (day - a.days[lo]!) / (a.days[hi]! - a.days[lo]!);
    return free * Math.exp((1 - w) * correction(lo) + w * correction(hi));
  }

  /**
   * The Treasury curve of a day, yields in percent by maturity (years): the 13-week yield is a mean-reverting
   * (log Ornstein-Uhlenbeck) short rate, and each longer maturity adds a positive, mean-reverting term spread to the
   * previous one, so the curve always slopes upward like a normal one. Starts from roughly the curve of January 2000.
   */
  yieldCurve(day: number): Record<number, number> {
    const i = Math.max(day - ANCHOR_DAY, 0);
    if (!this.#curve || this.#curve[0]!.length <= i) this.#growCurve(i + 1);
    const [r, s5, s10, s30] = this.#curve!.map((f) => f[i]!) as [number, number, number, number];
    return { 0.25: r, 5: r + s5, 10: r + s5 + s10, 30: r + s5 + s10 + s30 };
  }

  #growCurve(need: number): void {
    // [start level, long-run mean, mean reversion per year, volatility per sqrt(year)] of each factor, in log space.
    const factors: [number, number, number, number][] = [
      [5.3, 1.8, 0.4, 0.5], // 13-week yield
      [1.0, 1.1, 0.8, 0.35], // 5y - 13w
      [0.2, 0.6, 0.8, 0.35], // 10y - 5y
      [0.3, 0.5, 0.8, 0.3], // 30y - 10y
    ];
    const old = this.#curve;
    const start = old?.[0]?.length ?? 0;
    const size = Math.max(need, start * 2, 4096);
    const dt = 1 / 365;
    this.#curve = factors.map(([x0, mean, kappa, sigma], f) => {
      const out = new Float64Array(size);
      if (old) out.set(old[f]!);
      let x = start === 0 ? Math.log(x0) : Math.log(out[start - 1]!);
      for (let d = start; d < size; d++) {
        const z = gaussian(rng(hashSeed(this.seed, "curve", f, ANCHOR_DAY + d)));
        x += kappa * (Math.log(mean) - x) * dt + sigma * Math.sqrt(dt) * z;
        out[d] = Math.exp(x);
      }
      return out;
    });
  }

  /** The free daily GBM level (no anchors). */
  #freeClose(symbol: string, assetClass: AssetClass, day: number): number {
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
