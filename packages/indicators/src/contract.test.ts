// One contract, every indicator: streaming === batch, save/restore === uninterrupted, replace === rebuild,
// warm-up length === stated lookback, invalid input throws InvalidInputError and leaves the state unchanged.
import { describe, expect, it } from "vitest";
import { Aligned, alignedBatch, type Side } from "./cross/aligned.ts";
import { Beta, Correl, type PairMetric, ReturnCorrelation, runPair, Spread } from "./cross/pair.ts";
import { InvalidInputError } from "./errors.ts";
import { Hv, hv, Sharpe, Sortino, sharpe, sortino } from "./quant/returns-window.ts";
import { CumReturn, cumReturn, Drawdown, drawdown, LogReturn, logReturn } from "./quant/simple.ts";
import {
  BAR_METRIC_FIELDS,
  type Bar,
  BarIndicators,
  type BarSeries,
  barIndicatorsBatch,
} from "./set/bar-indicators.ts";
import { type Bars, barAt, randomBars } from "./testing/fixtures.ts";
import { Ema, ema } from "./trend/ema.ts";
import { Macd, macd } from "./trend/macd.ts";
import { Mom, mom } from "./trend/mom.ts";
import { Roc, roc } from "./trend/roc.ts";
import { Rsi, rsi } from "./trend/rsi.ts";
import { Sma, sma } from "./trend/sma.ts";
import { Atr, atr } from "./volatility/atr.ts";
import { Bbands, bbands } from "./volatility/bbands.ts";
import { StdDev, stddev } from "./volatility/stddev.ts";
import { Ad, ad } from "./volume/ad.ts";
import { Obv, obv } from "./volume/obv.ts";
import { exchangeDaySession, Vwap, vwap } from "./volume/vwap.ts";

const toBars = (c: (k: keyof Bars) => Ind): BarSeries => ({
  ts: c("ts"),
  open: c("open"),
  high: c("high"),
  low: c("low"),
  close: c("close"),
  volume: c("volume"),
});

// biome-ignore lint/suspicious/noExplicitAny: the contract drives heterogeneous indicators through one adapter
type Ind = any;
interface Spec {
  name: string;
  lookback: number;
  /** The inputs it reads (every one of them must refuse what is not a finite number). */
  reads: (keyof Bars)[];
  make(): Ind;
  restore(json: Ind): Ind;
  /** Feeds bar i (update or replace); returns outputs (NaN while absent). */
  feed(ind: Ind, b: Bars, i: number, replace: boolean): number[];
}

const cl = (f: (x: number) => Ind, readers?: (ind: Ind) => number[]) => ({
  feed(ind: Ind, b: Bars, i: number, rep: boolean): number[] {
    const r = rep ? ind.replace(b.close[i]) : ind.update(b.close[i]);
    void f;
    if (readers) return r === undefined ? readers(ind).map(() => Number.NaN) : readers(ind);
    return [r === undefined ? Number.NaN : r];
  },
});
/** A close-only indicator; with `outputs`, the fields of the instance read after each bar (several outputs). */
const single = (
  name: string,
  lookback: number,
  make: () => Ind,
  restore: (j: Ind) => Ind,
  outputs?: string[],
): Spec => ({
  name,
  lookback,
  reads: ["close"],
  make,
  restore,
  ...cl(make, outputs && ((ind) => outputs.map((f) => ind[f]))),
});

const pair = (name: string, lookback: number, make: () => PairMetric, restore: (j: Ind) => Ind, other: Bars): Spec => ({
  name,
  lookback,
  reads: ["close"],
  make,
  restore,
  feed(ind, b, i, rep) {
    const r = rep ? ind.replace(b.close[i], other.close[i]) : ind.update(b.close[i], other.close[i]);
    return [r === undefined ? Number.NaN : r];
  },
});

const other = randomBars(5000, 99, 30);
const ny = exchangeDaySession("America/New_York");
const specs: Spec[] = [
  single("SMA 20", 19, () => new Sma(20), Sma.fromJSON),
  single("SMA 200", 199, () => new Sma(200), Sma.fromJSON),
  single("EMA 20", 19, () => new Ema(20), Ema.fromJSON),
  single("MACD 12,26,9", 33, () => new Macd(), Macd.fromJSON, ["macd", "signalValue", "hist"]),
  single("RSI 14", 14, () => new Rsi(14), Rsi.fromJSON),
  single("ROC 10", 10, () => new Roc(10), Roc.fromJSON),
  single("MOM 10", 10, () => new Mom(10), Mom.fromJSON),
  single("BBANDS 20,2", 19, () => new Bbands(20, 2), Bbands.fromJSON, ["upper", "middle", "lower"]),
  single("STDDEV 20", 19, () => new StdDev(20), StdDev.fromJSON),
  single("HV 20", 20, () => new Hv(20), Hv.fromJSON),
  single("Sharpe 20", 20, () => new Sharpe(20, { periodsPerYear: 365 }), Sharpe.fromJSON),
  single("Sortino 20", 20, () => new Sortino(20), Sortino.fromJSON),
  single("LogReturn", 1, () => new LogReturn(), LogReturn.fromJSON),
  single("CumReturn", 0, () => new CumReturn(), CumReturn.fromJSON),
  single("Drawdown", 0, () => new Drawdown(), Drawdown.fromJSON, ["value", "maxDrawdown"]),
  {
    name: "ATR 14",
    reads: ["high", "low", "close"],
    lookback: 14,
    make: () => new Atr(14),
    restore: Atr.fromJSON,
    feed(ind, b, i, rep) {
      const r = rep ? ind.replace(b.high[i], b.low[i], b.close[i]) : ind.update(b.high[i], b.low[i], b.close[i]);
      return [r ?? Number.NaN];
    },
  },
  {
    name: "OBV",
    reads: ["close", "volume"],
    lookback: 0,
    make: () => new Obv(),
    restore: Obv.fromJSON,
    feed: (ind, b, i, rep) => [rep ? ind.replace(b.close[i], b.volume[i]) : ind.update(b.close[i], b.volume[i])],
  },
  {
    name: "AD",
    reads: ["high", "low", "close", "volume"],
    lookback: 0,
    make: () => new Ad(),
    restore: Ad.fromJSON,
    feed: (ind, b, i, rep) => [
      rep
        ? ind.replace(b.high[i], b.low[i], b.close[i], b.volume[i])
        : ind.update(b.high[i], b.low[i], b.close[i], b.volume[i]),
    ],
  },
  {
    name: "VWAP (NY session)",
    reads: ["ts", "high", "low", "close", "volume"],
    lookback: 0,
    make: () => new Vwap(ny),
    restore: (j) => Vwap.fromJSON(j, ny),
    feed: (ind, b, i, rep) => [
      (rep ? ind.replace : ind.update).call(ind, b.ts[i], b.high[i], b.low[i], b.close[i], b.volume[i]),
    ],
  },
  pair("BETA 20", 20, () => new Beta(20), Beta.fromJSON, other),
  pair("CORREL 30", 29, () => new Correl(30), Correl.fromJSON, other),
  pair("ReturnCorrelation 30", 30, () => new ReturnCorrelation(30), ReturnCorrelation.fromJSON, other),
  pair("Spread", 0, () => new Spread(), Spread.fromJSON, other),
  {
    name: "BarIndicators",
    reads: ["ts", "open", "high", "low", "close", "volume"],
    lookback: 0,
    make: () => new BarIndicators({ session: ny }),
    restore: (j) => BarIndicators.fromJSON(j, ny),
    feed(ind, b, i, rep) {
      const bar: Bar = barAt(b, i);
      const v = rep ? ind.replace(bar) : ind.update(bar);
      return BAR_METRIC_FIELDS.map((f) => v[f] ?? Number.NaN);
    },
  },
];

const N = 5000;
const bars = randomBars(N, 3);

function run(spec: Spec, ind: Ind, from: number, to: number, out: number[][]): Ind {
  for (let i = from; i < to; i++) out.push(spec.feed(ind, bars, i, false));
  return ind;
}
function expectSame(a: number[][], b: number[][]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    for (let k = 0; k < a[i]!.length; k++) {
      if (!Object.is(a[i]![k], b[i]![k])) throw new Error(`row ${i} col ${k}: ${a[i]![k]} vs ${b[i]![k]}`);
    }
  }
}

describe.each(specs)("contract: $name", (spec) => {
  const ref: number[][] = [];
  run(spec, spec.make(), 0, N, ref);

  it("warm-up length equals the stated lookback", () => {
    const firstWarm = ref.findIndex((row) => !Number.isNaN(row[0]!));
    if (spec.name !== "BarIndicators") expect(firstWarm).toBe(spec.lookback);
    expect(spec.make().lookback ?? 0).toBe(spec.lookback);
  });

  it("save/restore (through JSON) equals uninterrupted, exactly", () => {
    for (const cut of [1, spec.lookback, spec.lookback + 1, 777, N - 1]) {
      const out: number[][] = [];
      const a = run(spec, spec.make(), 0, cut, out);
      const b = spec.restore(JSON.parse(JSON.stringify(a)));
      run(spec, b, cut, N, out);
      expectSame(out, ref);
    }
  });

  it("replace() equals rebuilding, exactly (many replacements of the forming bar)", () => {
    const ind = spec.make();
    const out: number[][] = [];
    const noisy = randomBars(N, 11);
    for (let i = 0; i < N; i++) {
      // feed a few provisional versions of bar i, then the final one through replace
      if (i % 3 === 0) {
        const ts = bars.ts[i]!;
        noisy.ts[i] = ts;
        spec.feed(ind, noisy, i, false);
        spec.feed(ind, noisy, i, true);
        out.push(spec.feed(ind, bars, i, true));
      } else out.push(spec.feed(ind, bars, i, false));
    }
    expectSame(out, ref);
  });

  it("invalid input throws InvalidInputError naming the field and leaves the state unchanged", () => {
    let ind = run(spec, spec.make(), 0, 300, []);
    const before = JSON.stringify(ind);
    const bad = randomBars(1, 5);
    const cases: [keyof Bars, number][] = [
      ["close", Number.NaN],
      ["close", Number.POSITIVE_INFINITY],
      ["close", -1],
      ["close", 0],
      ["volume", -5],
      ["high", bad.low[0]! / 2],
    ];
    let threw = 0;
    for (const [field, value] of cases) {
      const b = randomBars(301, 3);
      b[field][300] = value;
      for (const rep of [false, true]) {
        try {
          spec.feed(ind, b, 300, rep);
          // some indicators do not read this field (e.g. volume for SMA): no error is fine; go back to the checkpoint
          ind = spec.restore(JSON.parse(before));
          continue;
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidInputError);
          threw++;
        }
        if (!rep) expect(JSON.stringify(ind)).toBe(before);
      }
    }
    expect(threw).toBeGreaterThan(0);
  });

  it("refuses what JavaScript would coerce (strings, booleans, null, arrays, objects) in every input it reads, state unchanged", () => {
    const ind = run(spec, spec.make(), 0, 300, []);
    const before = JSON.stringify(ind);
    // Plain arrays, so that a bar can hold any value at all.
    const plain = Object.fromEntries(Object.entries(randomBars(301, 3)).map(([k, v]) => [k, Array.from(v)])) as Ind;
    for (const field of spec.reads) {
      const good = plain[field][300];
      for (const bad of COERCED) {
        plain[field][300] = bad;
        for (const rep of [false, true]) {
          let err: unknown;
          try {
            spec.feed(ind, plain, 300, rep);
          } catch (e) {
            err = e;
          }
          expect(err, `${field} = ${String(bad)} (${typeof bad}), ${rep ? "replace" : "update"}`).toBeInstanceOf(
            InvalidInputError,
          );
          expect((err as InvalidInputError).field).toBe(
            spec.name.match(/BETA|CORREL|Correlation|Spread/) ? "a" : field,
          );
          expect(JSON.stringify(ind)).toBe(before);
        }
      }
      plain[field][300] = good;
    }
  });
});

/** Values JavaScript turns into numbers in comparisons and arithmetic ("106" > 0, null >= 0, [5] * 1, true + 1). */
const COERCED: unknown[] = ["106", "", "abc", true, false, null, undefined, [], [5], {}, { valueOf: () => 7 }, 10n];

describe("metric set", () => {
  it("batch form equals streaming, exactly, and warm flags match values", () => {
    const ny2 = exchangeDaySession("America/New_York");
    const batch = barIndicatorsBatch(bars, { session: ny2 });
    const set = new BarIndicators({ session: ny2 });
    const mismatches: string[] = [];
    for (let i = 0; i < N; i++) {
      const v = set.update({
        ts: bars.ts[i]!,
        open: bars.open[i]!,
        high: bars.high[i]!,
        low: bars.low[i]!,
        close: bars.close[i]!,
        volume: bars.volume[i]!,
      });
      // Plain comparisons, one expect at the end: 250,000 expect() calls took most of this test's time.
      for (const f of BAR_METRIC_FIELDS) {
        if (!Object.is(batch[f][i], v[f] ?? Number.NaN)) mismatches.push(`bar ${i} ${f}: ${batch[f][i]} vs ${v[f]}`);
        if (set.warm[f] !== (v[f] !== undefined)) mismatches.push(`bar ${i} warm.${f}: ${set.warm[f]}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    for (const f of BAR_METRIC_FIELDS) {
      const first = batch[f].findIndex((x) => !Number.isNaN(x));
      expect(first, f).toBe(BarIndicators.lookbacks[f]);
    }
  });

  it("batch forms refuse the same values, naming the field, before computing anything", () => {
    const b = randomBars(200, 8);
    const col = (k: keyof Bars, at?: number, bad?: unknown): Ind => {
      const a: unknown[] = Array.from(b[k]);
      if (at !== undefined) a[at] = bad;
      return a;
    };
    const batches: [string, (keyof Bars)[], (c: (k: keyof Bars) => Ind) => unknown][] = [
      ["sma", ["close"], (c) => sma(c("close"))],
      ["ema", ["close"], (c) => ema(c("close"))],
      ["rsi", ["close"], (c) => rsi(c("close"))],
      ["macd", ["close"], (c) => macd(c("close"))],
      ["bbands", ["close"], (c) => bbands(c("close"))],
      ["stddev", ["close"], (c) => stddev(c("close"))],
      ["roc", ["close"], (c) => roc(c("close"))],
      ["mom", ["close"], (c) => mom(c("close"))],
      ["hv", ["close"], (c) => hv(c("close"))],
      ["sharpe", ["close"], (c) => sharpe(c("close"))],
      ["sortino", ["close"], (c) => sortino(c("close"))],
      ["logReturn", ["close"], (c) => logReturn(c("close"))],
      ["cumReturn", ["close"], (c) => cumReturn(c("close"))],
      ["drawdown", ["close"], (c) => drawdown(c("close"))],
      ["atr", ["high", "low", "close"], (c) => atr(c("high"), c("low"), c("close"))],
      ["obv", ["close", "volume"], (c) => obv(c("close"), c("volume"))],
      ["ad", ["high", "low", "close", "volume"], (c) => ad(c("high"), c("low"), c("close"), c("volume"))],
      [
        "vwap",
        ["ts", "high", "low", "close", "volume"],
        (c) => vwap(c("ts"), c("high"), c("low"), c("close"), c("volume")),
      ],
      ["barIndicatorsBatch", ["ts", "open", "high", "low", "close", "volume"], (c) => barIndicatorsBatch(toBars(c))],
      ["alignedBatch (a)", ["close"], (c) => alignedBatch(new Spread(), b.ts, c("close"), b.ts, b.open)],
      ["alignedBatch (ts)", ["ts"], (c) => alignedBatch(new Spread(), c("ts"), b.close, b.ts, b.open)],
      ["runPair", ["close"], (c) => runPair(new Correl(30), c("close"), b.open)],
    ];
    for (const [name, reads, f] of batches) {
      expect(() => f((k) => col(k)), name).not.toThrow();
      for (const field of reads)
        for (const bad of [...COERCED, Number.NaN]) {
          let err: unknown;
          try {
            f((k) => (k === field ? col(k, 150, bad) : col(k)));
          } catch (e) {
            err = e;
          }
          expect(err, `${name}: ${field} = ${String(bad)}`).toBeInstanceOf(InvalidInputError);
          const named = (err as InvalidInputError).field;
          expect(named, name).toBe(name === "alignedBatch (a)" ? "a" : name === "runPair" ? "a" : field);
        }
    }
  });

  it("Vwap refuses a timestamp at or before the last bar's (an older one would reset its session), state unchanged", () => {
    const v = new Vwap(ny);
    for (let i = 0; i < 50; i++) v.update(bars.ts[i]!, bars.high[i]!, bars.low[i]!, bars.close[i]!, bars.volume[i]!);
    const before = JSON.stringify(v);
    for (const ts of [bars.ts[49]!, bars.ts[10]!, bars.ts[49]! - 86_400_000]) {
      expect(() => v.update(ts, bars.high[50]!, bars.low[50]!, bars.close[50]!, bars.volume[50]!)).toThrow(
        /invalid ts .*must be after the last bar/,
      );
      expect(JSON.stringify(v)).toBe(before);
    }
    // replace() takes the last bar's ts only.
    expect(() => v.replace(bars.ts[48]!, bars.high[49]!, bars.low[49]!, bars.close[49]!, 1)).toThrow(InvalidInputError);
    expect(v.replace(bars.ts[49]!, bars.high[49]!, bars.low[49]!, bars.close[49]!, bars.volume[49]!)).toBe(v.value);
    expect(JSON.stringify(v)).toBe(before);
  });

  it("two-series join: a side that lags (or runs ahead) is paired as alignedBatch pairs it, within maxPending", () => {
    const a = randomBars(400, 31);
    const b = randomBars(400, 32);
    // b misses every 7th timestamp of a and has extra ones
    const tsB = Float64Array.from(a.ts, (t, i) => (i % 7 === 0 ? t + 1 : t));
    const batch = alignedBatch(new Beta(20), a.ts, a.close, tsB, b.close);
    expect(batch.ts.length).toBeGreaterThan(300);
    for (const [lag, leader] of [
      [1, "a"],
      [1, "b"],
      [37, "a"],
      [250, "b"],
    ] as const) {
      const al = new Aligned(new Beta(20));
      const got: number[] = [];
      const gotTs: number[] = [];
      const send = (side: Side, i: number) => {
        const r = side === "a" ? al.update(a.ts[i]!, "a", a.close[i]!) : al.update(tsB[i]!, "b", b.close[i]!);
        if (al.emitted) {
          got.push(r ?? Number.NaN);
          gotTs.push(al.lastTs);
        }
      };
      const follower: Side = leader === "a" ? "b" : "a";
      for (let i = 0; i < 400 + lag; i++) {
        if (i < 400) send(leader, i);
        if (i >= lag) send(follower, i - lag);
      }
      expect(gotTs, `lag ${lag}, ${leader} ahead`).toEqual(Array.from(batch.ts));
      expectSame([got], [Array.from(batch.values)]);
      expect(al.dropped).toBe(0);
    }
    // The case of the report: one side a bar behind, on identical timestamps: every pair, where lockstep made none.
    const lagged = new Aligned(new Spread());
    let pairs = 0;
    for (let i = 0; i < 50; i++) {
      lagged.update(a.ts[i]!, "a", a.close[i]!);
      if (i > 0) lagged.update(a.ts[i - 1]!, "b", b.close[i - 1]!);
      if (lagged.emitted) pairs++;
    }
    expect(pairs).toBe(49);
    expect(alignedBatch(new Spread(), a.ts.subarray(0, 49), a.close, a.ts.subarray(0, 49), b.close).ts).toHaveLength(
      49,
    );
    // Beyond maxPending the oldest waiting value is dropped (and counted): that pair is lost.
    const bounded = new Aligned(new Spread(), { maxPending: 10 });
    for (let i = 0; i < 20; i++) bounded.update(a.ts[i]!, "a", a.close[i]!);
    expect(bounded.pending).toEqual([10, 0]);
    expect(bounded.dropped).toBe(10);
    for (let i = 0; i < 20; i++) bounded.update(a.ts[i]!, "b", b.close[i]!);
    expect(bounded.lastTs).toBe(a.ts[19]);
    // Restored mid-wait, it pairs on as the uninterrupted one does.
    const half = new Aligned(new Beta(20));
    for (let i = 0; i < 30; i++) half.update(a.ts[i]!, "a", a.close[i]!);
    const restored = Aligned.fromJSON(JSON.parse(JSON.stringify(half)), Beta.fromJSON(half.metric.toJSON()));
    expect(restored.pending).toEqual([30, 0]);
    for (const al of [half, restored]) for (let i = 0; i < 30; i++) al.update(tsB[i]!, "b", b.close[i]!);
    expect(restored.value).toBe(half.value);
    expect(JSON.stringify(restored)).toBe(JSON.stringify(half));
  });

  it("aligned two-series metrics: batch join equals streaming in any interleaving", () => {
    const a = randomBars(3000, 21);
    const b = randomBars(3000, 22);
    // b misses every 7th timestamp of a and has extra ones
    const tsB = Float64Array.from(a.ts, (t, i) => (i % 7 === 0 ? t + 1 : t));
    const batch = alignedBatch(new Beta(20), a.ts, a.close, tsB, b.close);
    const al = new Aligned(new Beta(20));
    const got: number[] = [];
    const gotTs: number[] = [];
    for (let i = 0; i < 3000; i++) {
      // b first this time
      for (const [side, ts, v] of [
        ["b", tsB[i]!, b.close[i]!],
        ["a", a.ts[i]!, a.close[i]!],
      ] as const) {
        const r = al.update(ts, side, v);
        if (al.emitted) {
          got.push(r ?? Number.NaN);
          gotTs.push(ts);
        }
      }
    }
    expect(Array.from(batch.ts)).toEqual(gotTs);
    expectSame([Array.from(batch.values)], [got]);
    expect(() => al.update(a.ts[0]!, "a", 1)).toThrow(InvalidInputError);
  });
});
