// One contract, every indicator: streaming === batch, save/restore === uninterrupted, replace === rebuild,
// warm-up length === stated lookback, invalid input throws InvalidInputError and leaves the state unchanged.
import { describe, expect, it } from "vitest";
import { Aligned, alignedBatch } from "./cross/aligned.ts";
import { Beta, Correl, type PairMetric, ReturnCorrelation, Spread } from "./cross/pair.ts";
import { InvalidInputError } from "./errors.ts";
import { Hv, Sharpe, Sortino } from "./quant/returns-window.ts";
import { CumReturn, Drawdown, LogReturn } from "./quant/simple.ts";
import { BAR_METRIC_FIELDS, type Bar, BarIndicators, barIndicatorsBatch } from "./set/bar-indicators.ts";
import { type Bars, randomBars } from "./testing/fixtures.ts";
import { Ema } from "./trend/ema.ts";
import { Macd } from "./trend/macd.ts";
import { Mom } from "./trend/mom.ts";
import { Roc } from "./trend/roc.ts";
import { Rsi } from "./trend/rsi.ts";
import { Sma } from "./trend/sma.ts";
import { Atr } from "./volatility/atr.ts";
import { Bbands } from "./volatility/bbands.ts";
import { StdDev } from "./volatility/stddev.ts";
import { Ad } from "./volume/ad.ts";
import { Obv } from "./volume/obv.ts";
import { exchangeDaySession, Vwap } from "./volume/vwap.ts";

// biome-ignore lint/suspicious/noExplicitAny: the contract drives heterogeneous indicators through one adapter
type Ind = any;
interface Spec {
  name: string;
  lookback: number;
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
const single = (name: string, lookback: number, make: () => Ind, restore: (j: Ind) => Ind): Spec => ({
  name,
  lookback,
  make,
  restore,
  ...cl(make),
});

const pair = (name: string, lookback: number, make: () => PairMetric, restore: (j: Ind) => Ind, other: Bars): Spec => ({
  name,
  lookback,
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
  {
    name: "MACD 12,26,9",
    lookback: 33,
    make: () => new Macd(),
    restore: Macd.fromJSON,
    ...cl(Number, (m) => [m.macd, m.signalValue, m.hist]),
  },
  single("RSI 14", 14, () => new Rsi(14), Rsi.fromJSON),
  single("ROC 10", 10, () => new Roc(10), Roc.fromJSON),
  single("MOM 10", 10, () => new Mom(10), Mom.fromJSON),
  {
    name: "BBANDS 20,2",
    lookback: 19,
    make: () => new Bbands(20, 2),
    restore: Bbands.fromJSON,
    ...cl(Number, (m) => [m.upper, m.middle, m.lower]),
  },
  single("STDDEV 20", 19, () => new StdDev(20), StdDev.fromJSON),
  single("HV 20", 20, () => new Hv(20), Hv.fromJSON),
  single("Sharpe 20", 20, () => new Sharpe(20, { periodsPerYear: 365 }), Sharpe.fromJSON),
  single("Sortino 20", 20, () => new Sortino(20), Sortino.fromJSON),
  single("LogReturn", 1, () => new LogReturn(), LogReturn.fromJSON),
  single("CumReturn", 0, () => new CumReturn(), CumReturn.fromJSON),
  {
    name: "Drawdown",
    lookback: 0,
    make: () => new Drawdown(),
    restore: Drawdown.fromJSON,
    ...cl(Number, (m) => [m.value, m.maxDrawdown]),
  },
  {
    name: "ATR 14",
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
    lookback: 0,
    make: () => new Obv(),
    restore: Obv.fromJSON,
    feed: (ind, b, i, rep) => [rep ? ind.replace(b.close[i], b.volume[i]) : ind.update(b.close[i], b.volume[i])],
  },
  {
    name: "AD",
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
    lookback: 0,
    make: () => new BarIndicators({ session: ny }),
    restore: (j) => BarIndicators.fromJSON(j, ny),
    feed(ind, b, i, rep) {
      const bar: Bar = {
        ts: b.ts[i]!,
        open: b.open[i]!,
        high: b.high[i]!,
        low: b.low[i]!,
        close: b.close[i]!,
        volume: b.volume[i]!,
      };
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
});

describe("metric set", () => {
  it("batch form equals streaming, exactly, and warm flags match values", () => {
    const ny2 = exchangeDaySession("America/New_York");
    const batch = barIndicatorsBatch(bars, { session: ny2 });
    const set = new BarIndicators({ session: ny2 });
    for (let i = 0; i < N; i++) {
      const v = set.update({
        ts: bars.ts[i]!,
        open: bars.open[i]!,
        high: bars.high[i]!,
        low: bars.low[i]!,
        close: bars.close[i]!,
        volume: bars.volume[i]!,
      });
      for (const f of BAR_METRIC_FIELDS) {
        expect(Object.is(batch[f][i], v[f] ?? Number.NaN)).toBe(true);
        expect(set.warm[f]).toBe(v[f] !== undefined);
      }
    }
    for (const f of BAR_METRIC_FIELDS) {
      const first = batch[f].findIndex((x) => !Number.isNaN(x));
      expect(first, f).toBe(BarIndicators.lookbacks[f]);
    }
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
