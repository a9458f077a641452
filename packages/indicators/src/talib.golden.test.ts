// Golden tests: TA-Lib's C code (npm `talib`, built by scripts/build-talib.mjs) is the oracle.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { Beta, Correl, runPair } from "./cross/pair.ts";
import { randomBars } from "./testing/fixtures.ts";
import { ema } from "./trend/ema.ts";
import { macd } from "./trend/macd.ts";
import { mom } from "./trend/mom.ts";
import { roc } from "./trend/roc.ts";
import { rsi } from "./trend/rsi.ts";
import { sma } from "./trend/sma.ts";
import { atr } from "./volatility/atr.ts";
import { bbands } from "./volatility/bbands.ts";
import { stddev } from "./volatility/stddev.ts";
import { ad } from "./volume/ad.ts";
import { obv } from "./volume/obv.ts";

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}
const talib = createRequire(import.meta.url)("talib") as { execute(p: Record<string, unknown>): TalibResult };

const N = 100_000;
const bars = randomBars(N, 42);
const bars2 = randomBars(N, 7, 50);
const arr = (a: Float64Array) => Array.from(a);
const input = {
  open: arr(bars.open),
  high: arr(bars.high),
  low: arr(bars.low),
  close: arr(bars.close),
  volume: arr(bars.volume),
  inReal: arr(bars.close),
};

function ta(name: string, opts: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): TalibResult {
  const r = talib.execute({ name, startIdx: 0, endIdx: N - 1, ...input, ...extra, ...opts });
  if ("error" in r) throw new Error(String((r as { error: unknown }).error));
  return r;
}

/** Compares ours (full length, NaN in warm-up) with TA-Lib's output; returns the max relative error. */
function same(ours: Float64Array, t: TalibResult, key: string, lookback: number): number {
  expect(t.begIndex).toBe(lookback);
  const ref = t.result[key]!;
  expect(ref.length).toBe(N - lookback);
  for (let i = 0; i < lookback; i++) expect(ours[i]).toBeNaN();
  let worst = 0;
  for (let i = lookback; i < N; i++) {
    const a = ours[i]!;
    const b = ref[i - lookback]!;
    // 1e-9 relative; values whose magnitude is below 1 (oscillators crossing zero) use an absolute 1e-9.
    const err = Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (!(err <= 1e-9)) throw new Error(`${key}[${i}]: ours ${a} talib ${b} (err ${err})`);
    if (err > worst) worst = err;
  }
  return worst;
}

describe("golden: TA-Lib on 100,000-bar random walks (gaps, flat runs, zero volume, extreme moves)", () => {
  for (const p of [2, 20, 50, 200]) {
    it(`SMA ${p}`, () => same(sma(bars.close, p), ta("SMA", { optInTimePeriod: p }), "outReal", p - 1));
    it(`EMA ${p}`, () => same(ema(bars.close, p), ta("EMA", { optInTimePeriod: p }), "outReal", p - 1));
  }
  for (const [f, s, g] of [
    [12, 26, 9],
    [5, 35, 5],
    [26, 12, 9],
  ] as const) {
    it(`MACD ${f},${s},${g}`, () => {
      const t = ta("MACD", { optInFastPeriod: f, optInSlowPeriod: s, optInSignalPeriod: g });
      const m = macd(bars.close, f, s, g);
      const lb = Math.max(f, s) - 1 + g - 1;
      same(m.macd, t, "outMACD", lb);
      same(m.signal, t, "outMACDSignal", lb);
      same(m.hist, t, "outMACDHist", lb);
    });
  }
  for (const p of [2, 14, 30]) {
    it(`RSI ${p}`, () => same(rsi(bars.close, p), ta("RSI", { optInTimePeriod: p }), "outReal", p));
    it(`ATR ${p}`, () =>
      same(atr(bars.high, bars.low, bars.close, p), ta("ATR", { optInTimePeriod: p }), "outReal", p));
  }
  for (const p of [1, 10, 25]) {
    it(`ROC ${p}`, () => same(roc(bars.close, p), ta("ROC", { optInTimePeriod: p }), "outReal", p));
    it(`MOM ${p}`, () => same(mom(bars.close, p), ta("MOM", { optInTimePeriod: p }), "outReal", p));
  }
  for (const [p, up, dn] of [
    [20, 2, 2],
    [10, 1, 1],
    [50, 2.5, 1.5],
  ] as const) {
    it(`BBANDS ${p},${up},${dn}`, () => {
      const t = ta("BBANDS", { optInTimePeriod: p, optInNbDevUp: up, optInNbDevDn: dn, optInMAType: 0 });
      const b = bbands(bars.close, p, up, dn);
      same(b.upper, t, "outRealUpperBand", p - 1);
      same(b.middle, t, "outRealMiddleBand", p - 1);
      same(b.lower, t, "outRealLowerBand", p - 1);
    });
  }
  for (const [p, d] of [
    [5, 1],
    [20, 1],
    [20, 2],
  ] as const) {
    it(`STDDEV ${p},${d}`, () =>
      same(stddev(bars.close, p, d), ta("STDDEV", { optInTimePeriod: p, optInNbDev: d }), "outReal", p - 1));
  }
  it("OBV", () => same(obv(bars.close, bars.volume), ta("OBV"), "outReal", 0));
  it("AD", () => same(ad(bars.high, bars.low, bars.close, bars.volume), ta("AD"), "outReal", 0));
  for (const p of [5, 20]) {
    it(`BETA ${p} (inReal0 = benchmark, inReal1 = asset)`, () => {
      const t = ta("BETA", { optInTimePeriod: p }, { inReal0: arr(bars2.close), inReal1: arr(bars.close) });
      same(runPair(new Beta(p), bars.close, bars2.close), t, "outReal", p);
    });
    it(`CORREL ${p}`, () => {
      const t = ta("CORREL", { optInTimePeriod: p }, { inReal0: arr(bars.close), inReal1: arr(bars2.close) });
      same(runPair(new Correl(p), bars.close, bars2.close), t, "outReal", p - 1);
    });
  }
});
