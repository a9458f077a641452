// Generated (synthetic) recordings in the current fixture format, for universe series without real data: the
// Treasury indices (a curve model of the usual upward shape), BTC-USD intraday and daily outside its real days,
// intraday equities. Every one is labelled: the response header `x-generated-by` makes the replay source emit its
// bars with `source: "synthetic"`. Levels are pinned to the symbol's real closes (any real recording, any interval:
// see SyntheticMarket anchors), so a generated series starts from the last real level; a symbol with no real level
// anywhere (and no curve model) gets no generated recording at all rather than made-up prices.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AssetClass, DAY_MS, dateInZone, epochMsToDate, type Interval, UNIVERSE } from "@quant/core";
import { ASSET_PROFILES, type LevelAnchor, SyntheticMarket, YIELD_CURVE_MATURITIES } from "@quant/synthetic";
import { chartExchange } from "./chart-recording.ts";
import type { Recording } from "./replay.ts";

/** Bump when the generator changes: existing generated recordings are then rewritten. */
export const GENERATED_VERSION = 3;
const MANIFEST = "generated.json";

/** The windows recorded per interval (clipped to start at a symbol's first real level). */
export const GENERATED_WINDOWS: Record<"1m" | "5m" | "1d", { from: string; to: string }> = {
  "1d": { from: "2000-01-03", to: "2024-12-31" },
  "5m": { from: "2024-09-30", to: "2024-10-11" },
  "1m": { from: "2024-09-30", to: "2024-10-06" },
};

/** A (symbol, interval) whose real recordings cover at least this much needs no generated one. */
const REAL_COVERAGE_ENOUGH_MS = 365 * DAY_MS;

const INSTRUMENT: Record<AssetClass, string> = { equity: "EQUITY", crypto: "CRYPTOCURRENCY", bond: "INDEX" };

interface ChartBody {
  chart?: {
    result?: {
      meta?: { exchangeTimezoneName?: string };
      timestamp?: number[];
      indicators?: { quote?: { close?: (number | null)[] }[] };
    }[];
  };
}

/**
 * Real closes per symbol and date from real recordings: daily bars by trading date, intraday bars by the last close
 * of each date, monthly bars at the month's last day. Daily closes win over intraday ones of the same date.
 */
export function realAnchors(real: readonly Recording[]): Record<string, LevelAnchor[]> {
  const bySymbol = new Map<string, Map<string, { close: number; rank: number }>>();
  for (const rec of real) {
    if (rec.provenance !== "replay" || rec.status !== 200) continue;
    let body: ChartBody;
    try {
      body = JSON.parse(rec.body) as ChartBody;
    } catch {
      continue;
    }
    const r = body.chart?.result?.[0];
    const ts = r?.timestamp ?? [];
    const closes = r?.indicators?.quote?.[0]?.close ?? [];
    const tz = r?.meta?.exchangeTimezoneName || "UTC";
    const rank = rec.interval === "1d" ? 2 : rec.interval.endsWith("mo") ? 0 : 1;
    const dates = bySymbol.get(rec.symbol) ?? new Map<string, { close: number; rank: number }>();
    bySymbol.set(rec.symbol, dates);
    for (let i = 0; i < ts.length; i++) {
      const close = closes[i];
      const ms = (ts[i] ?? 0) * 1000;
      // Only bars inside the recorded window (Yahoo appends a live-price bar after it).
      if (typeof close !== "number" || !(close > 0) || ms < rec.period1 || ms > rec.period2) continue;
      const d = new Date(ms);
      const date =
        rank === 0 ? epochMsToDate(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - DAY_MS) : dateInZone(ms, tz);
      const seen = dates.get(date);
      // Within one rank, later bars of the date win (the intraday close of the day).
      if (!seen || rank > seen.rank || (rank === seen.rank && rank === 1)) dates.set(date, { close, rank });
    }
  }
  const out: Record<string, LevelAnchor[]> = {};
  for (const [symbol, dates] of bySymbol)
    if (dates.size > 0)
      out[symbol] = [...dates]
        .map(([date, v]) => ({ date, close: v.close }))
        .sort((a, b) => a.date.localeCompare(b.date));
  return out;
}

/** One generated (symbol, interval) recording over [from, to]. */
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
  return chartExchange(
    {
      symbol,
      interval,
      currency: profile.currency,
      exchangeName: profile.exchange,
      instrumentType: INSTRUMENT[assetClass],
      exchangeTimezoneName: profile.timeZone,
    },
    bars.map((b) => ({
      ts: Date.parse(b.ts),
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      adjClose: b.adjClose,
    })),
    { from, to },
    { "x-generated-by": `@quant/synthetic (seed ${market.seed})` },
  );
}

export interface GeneratedPlanEntry {
  symbol: string;
  assetClass: AssetClass;
  interval: "1m" | "5m" | "1d";
  from: string;
  to: string;
  /** Why the levels are plausible: the curve model, or the real closes they start from. */
  basis: string;
}

/** What gets generated, and what does not (no real level anywhere). Pure: tests check it against the recordings. */
export function generatedPlan(
  real: readonly Recording[],
  market: SyntheticMarket,
): { entries: GeneratedPlanEntry[]; skipped: string[] } {
  const coverage = new Map<string, number>();
  for (const r of real)
    if (r.provenance === "replay")
      coverage.set(
        `${r.symbol}|${r.interval}`,
        (coverage.get(`${r.symbol}|${r.interval}`) ?? 0) + r.period2 - r.period1,
      );
  const entries: GeneratedPlanEntry[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const spec of Object.values(UNIVERSE)) {
    for (const symbol of spec.symbols) {
      for (const interval of ["1m", "5m", "1d"] as const) {
        const key = `${symbol}|${interval}`;
        // Daily history is scraped for every symbol (e.g. crypto 1d for the cross-asset job), intraday as the job says.
        if ((interval !== "1d" && !spec.intervals.includes(interval)) || seen.has(key)) continue;
        seen.add(key);
        if ((coverage.get(key) ?? 0) >= REAL_COVERAGE_ENOUGH_MS) continue;
        const window = GENERATED_WINDOWS[interval];
        if (spec.assetClass === "bond" && YIELD_CURVE_MATURITIES[symbol] !== undefined) {
          entries.push({ symbol, assetClass: spec.assetClass, interval, ...window, basis: "Treasury curve model" });
          continue;
        }
        const span = market.anchoredSpan(symbol);
        if (!span) {
          skipped.push(`${symbol} ${interval}: no real level of ${symbol} in any recording`);
          continue;
        }
        const from = span.from.localeCompare(window.from) > 0 ? span.from : window.from;
        if (from > window.to) {
          skipped.push(`${symbol} ${interval}: real levels start after ${window.to}`);
          continue;
        }
        entries.push({
          symbol,
          assetClass: spec.assetClass,
          interval,
          from,
          to: window.to,
          basis: `pinned to real closes of ${symbol} ${span.from}..${span.to}`,
        });
      }
    }
  }
  return { entries, skipped };
}

interface GeneratedManifest {
  version: number;
  seed: number;
  /** The real recordings the levels were pinned to: a change rewrites the generated ones. */
  real: string[];
  entries: (GeneratedPlanEntry & { file: string })[];
  skipped: string[];
}

/**
 * Writes the generated recordings into `dir` unless an up-to-date set is there (same version, seed and real
 * recordings); returns the manifest and whether it was (re)written.
 */
export function ensureGeneratedRecordings(
  dir: string,
  seed: number,
  real: readonly Recording[],
): { manifest: GeneratedManifest; written: boolean } {
  const realFiles = real
    .filter((r) => r.provenance === "replay")
    .map((r) => r.file.split("/").at(-1)!)
    .sort();
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as GeneratedManifest;
    if (
      m.version === GENERATED_VERSION &&
      m.seed === seed &&
      JSON.stringify(m.real) === JSON.stringify(realFiles) &&
      m.entries.every((e) => existsSync(join(dir, e.file)))
    )
      return { manifest: m, written: false };
  } catch {
    /* none yet */
  }
  const market = new SyntheticMarket({ seed, gapRate: 0, outlierRate: 0, anchors: realAnchors(real) });
  const plan = generatedPlan(real, market);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith(".generated.json")) rmSync(join(dir, f));
  const entries = plan.entries.map((e) => {
    const file = `chart-${e.symbol}-${e.from}-to-${e.to}-interval-${e.interval}.generated.json`;
    writeFileSync(
      join(dir, file),
      JSON.stringify(syntheticChartExchange(market, e.symbol, e.assetClass, e.interval, e.from, e.to)),
    );
    return { ...e, file };
  });
  const manifest: GeneratedManifest = {
    version: GENERATED_VERSION,
    seed,
    real: realFiles,
    entries,
    skipped: plan.skipped,
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, written: true };
}
