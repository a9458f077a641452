// pnpm bench:indicators [--json FILE] [--bars N]
// One process, one generated series: @quant/indicators vs technicalindicators, trading-signals and talib.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import * as ti from "technicalindicators";
import * as ts from "trading-signals";
import { Atr, atr, BarIndicators, Bbands, bbands, Ema, ema, Macd, macd, Rsi, rsi, Sma, sma } from "../src/index.ts";
import { randomBars } from "../src/testing/fixtures.ts";

const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const barsAt = args.indexOf("--bars");
const N = barsAt >= 0 ? Number(args[barsAt + 1]) : 1_000_000;

const talib = createRequire(import.meta.url)("talib") as { execute(p: Record<string, unknown>): unknown };
const b = randomBars(N, 2026);
const c = b.close;
const cArr = Array.from(c);
const hArr = Array.from(b.high);
const lArr = Array.from(b.low);
const candles = cArr.map((close, i) => ({ high: hArr[i]!, low: lArr[i]!, close }));
let sink = 0;

/** Best of `reps` timed runs (after one warm-up run), in bars per second. */
function measure(fn: () => void, reps = 3): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < best) best = dt;
  }
  return N / best;
}

type Impl = { lib: string; mode: "streaming" | "batch"; fn: () => void };
const num = (x: number | undefined | null) => {
  if (typeof x === "number") sink += x;
};

const cases: Record<string, Impl[]> = {
  SMA20: [
    {
      lib: "@quant/indicators",
      mode: "streaming",
      fn: () => {
        const s = new Sma(20);
        for (let i = 0; i < N; i++) num(s.update(c[i]!));
      },
    },
    { lib: "@quant/indicators", mode: "batch", fn: () => num(sma(c, 20)[N - 1]) },
    {
      lib: "trading-signals",
      mode: "streaming",
      fn: () => {
        const s = new ts.SMA(20);
        for (let i = 0; i < N; i++) num(s.update(cArr[i]!, false));
      },
    },
    {
      lib: "technicalindicators",
      mode: "streaming",
      fn: () => {
        const s = new ti.SMA({ period: 20, values: [] });
        for (let i = 0; i < N; i++) num(s.nextValue(cArr[i]!));
      },
    },
    { lib: "technicalindicators", mode: "batch", fn: () => num(ti.SMA.calculate({ period: 20, values: cArr }).at(-1)) },
    {
      lib: "talib",
      mode: "batch",
      fn: () => talib.execute({ name: "SMA", startIdx: 0, endIdx: N - 1, inReal: cArr, optInTimePeriod: 20 }),
    },
  ],
  EMA20: [
    {
      lib: "@quant/indicators",
      mode: "streaming",
      fn: () => {
        const s = new Ema(20);
        for (let i = 0; i < N; i++) num(s.update(c[i]!));
      },
    },
    { lib: "@quant/indicators", mode: "batch", fn: () => num(ema(c, 20)[N - 1]) },
    {
      lib: "trading-signals",
      mode: "streaming",
      fn: () => {
        const s = new ts.EMA(20);
        for (let i = 0; i < N; i++) num(s.update(cArr[i]!, false));
      },
    },
    {
      lib: "technicalindicators",
      mode: "streaming",
      fn: () => {
        const s = new ti.EMA({ period: 20, values: [] });
        for (let i = 0; i < N; i++) num(s.nextValue(cArr[i]!));
      },
    },
    { lib: "technicalindicators", mode: "batch", fn: () => num(ti.EMA.calculate({ period: 20, values: cArr }).at(-1)) },
    {
      lib: "talib",
      mode: "batch",
      fn: () => talib.execute({ name: "EMA", startIdx: 0, endIdx: N - 1, inReal: cArr, optInTimePeriod: 20 }),
    },
  ],
  RSI14: [
    {
      lib: "@quant/indicators",
      mode: "streaming",
      fn: () => {
        const s = new Rsi(14);
        for (let i = 0; i < N; i++) num(s.update(c[i]!));
      },
    },
    { lib: "@quant/indicators", mode: "batch", fn: () => num(rsi(c, 14)[N - 1]) },
    {
      lib: "trading-signals",
      mode: "streaming",
      fn: () => {
        const s = new ts.RSI(14);
        for (let i = 0; i < N; i++) num(s.update(cArr[i]!, false));
      },
    },
    {
      lib: "technicalindicators",
      mode: "streaming",
      fn: () => {
        const s = new ti.RSI({ period: 14, values: [] });
        for (let i = 0; i < N; i++) num(s.nextValue(cArr[i]!));
      },
    },
    { lib: "technicalindicators", mode: "batch", fn: () => num(ti.RSI.calculate({ period: 14, values: cArr }).at(-1)) },
    {
      lib: "talib",
      mode: "batch",
      fn: () => talib.execute({ name: "RSI", startIdx: 0, endIdx: N - 1, inReal: cArr, optInTimePeriod: 14 }),
    },
  ],
  "MACD(12,26,9)": [
    {
      lib: "@quant/indicators",
      mode: "streaming",
      fn: () => {
        const s = new Macd();
        for (let i = 0; i < N; i++) if (s.update(c[i]!)) sink += s.hist;
      },
    },
    { lib: "@quant/indicators", mode: "batch", fn: () => num(macd(c).hist[N - 1]) },
    {
      lib: "trading-signals",
      mode: "streaming",
      fn: () => {
        const s = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9));
        for (let i = 0; i < N; i++) {
          const r = s.update(cArr[i]!, false);
          if (r) sink += r.histogram;
        }
      },
    },
    {
      lib: "technicalindicators",
      mode: "streaming",
      fn: () => {
        const s = new ti.MACD({
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
          values: [],
        });
        for (let i = 0; i < N; i++) {
          const r = s.nextValue(cArr[i]!);
          if (r?.histogram !== undefined) sink += r.histogram;
        }
      },
    },
    {
      lib: "technicalindicators",
      mode: "batch",
      fn: () =>
        ti.MACD.calculate({
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
          values: cArr,
        }),
    },
    {
      lib: "talib",
      mode: "batch",
      fn: () =>
        talib.execute({
          name: "MACD",
          startIdx: 0,
          endIdx: N - 1,
          inReal: cArr,
          optInFastPeriod: 12,
          optInSlowPeriod: 26,
          optInSignalPeriod: 9,
        }),
    },
  ],
  "BBANDS(20,2)": [
    {
      lib: "@quant/indicators",
      mode: "streaming",
      fn: () => {
        const s = new Bbands(20, 2);
        for (let i = 0; i < N; i++) if (s.update(c[i]!) !== undefined) sink += s.upper;
      },
    },
    { lib: "@quant/indicators", mode: "batch", fn: () => num(bbands(c, 20, 2).upper[N - 1]) },
    {
      lib: "trading-signals",
      mode: "streaming",
      fn: () => {
        const s = new ts.BollingerBands(20, 2);
        for (let i = 0; i < N; i++) {
          const r = s.update(cArr[i]!, false);
          if (r) sink += r.upper;
        }
      },
    },
    {
      lib: "technicalindicators",
      mode: "streaming",
      fn: () => {
        const s = new ti.BollingerBands({ period: 20, stdDev: 2, values: [] });
        for (let i = 0; i < N; i++) {
          const r = s.nextValue(cArr[i]!);
          if (r) sink += r.upper;
        }
      },
    },
    {
      lib: "technicalindicators",
      mode: "batch",
      fn: () => ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: cArr }),
    },
    {
      lib: "talib",
      mode: "batch",
      fn: () =>
        talib.execute({
          name: "BBANDS",
          startIdx: 0,
          endIdx: N - 1,
          inReal: cArr,
          optInTimePeriod: 20,
          optInNbDevUp: 2,
          optInNbDevDn: 2,
          optInMAType: 0,
        }),
    },
  ],
  ATR14: [
    {
      lib: "@quant/indicators",
      mode: "streaming",
      fn: () => {
        const s = new Atr(14);
        for (let i = 0; i < N; i++) num(s.update(b.high[i]!, b.low[i]!, c[i]!));
      },
    },
    { lib: "@quant/indicators", mode: "batch", fn: () => num(atr(b.high, b.low, c, 14)[N - 1]) },
    {
      lib: "trading-signals",
      mode: "streaming",
      fn: () => {
        const s = new ts.ATR(14);
        for (let i = 0; i < N; i++) num(s.update(candles[i]!, false));
      },
    },
    {
      lib: "technicalindicators",
      mode: "streaming",
      fn: () => {
        const s = new ti.ATR({ period: 14, high: [], low: [], close: [] });
        for (let i = 0; i < N; i++) num(s.nextValue(candles[i]!));
      },
    },
    {
      lib: "technicalindicators",
      mode: "batch",
      fn: () => ti.ATR.calculate({ period: 14, high: hArr, low: lArr, close: cArr }),
    },
    {
      lib: "talib",
      mode: "batch",
      fn: () =>
        talib.execute({
          name: "ATR",
          startIdx: 0,
          endIdx: N - 1,
          high: hArr,
          low: lArr,
          close: cArr,
          optInTimePeriod: 14,
        }),
    },
  ],
};

interface Row {
  indicator: string;
  lib: string;
  mode: string;
  barsPerSec: number;
  ratioToBestPeer: number;
}
const rows: Row[] = [];
for (const [name, impls] of Object.entries(cases)) {
  const res = impls.map((im) => ({ ...im, bps: measure(im.fn, im.lib === "technicalindicators" ? 1 : 3) }));
  const bestPeer = Math.max(...res.filter((r) => r.lib !== "@quant/indicators").map((r) => r.bps));
  for (const r of res)
    rows.push({ indicator: name, lib: r.lib, mode: r.mode, barsPerSec: r.bps, ratioToBestPeer: r.bps / bestPeer });
}
const bar = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
const setBps = measure(() => {
  const set = new BarIndicators();
  for (let i = 0; i < N; i++) {
    bar.ts = b.ts[i]!;
    bar.open = b.open[i]!;
    bar.high = b.high[i]!;
    bar.low = b.low[i]!;
    bar.close = c[i]!;
    bar.volume = b.volume[i]!;
    num(set.update(bar).sma20);
  }
}, 2);
rows.push({
  indicator: "BarIndicators (25 fields)",
  lib: "@quant/indicators",
  mode: "streaming",
  barsPerSec: setBps,
  ratioToBestPeer: Number.NaN,
});

const fmt = (x: number) => (x / 1e6).toFixed(1).padStart(8);
console.log(
  `${N} bars, Node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? "?"}), ${new Date().toISOString()}`,
);
console.log(`${"indicator".padEnd(26)}${"library".padEnd(22)}${"mode".padEnd(11)}  Mbars/s  x best peer`);
for (const r of rows) {
  console.log(
    `${r.indicator.padEnd(26)}${r.lib.padEnd(22)}${r.mode.padEnd(11)}${fmt(r.barsPerSec)}  ${Number.isNaN(r.ratioToBestPeer) ? "" : r.ratioToBestPeer.toFixed(2).padStart(6)}`,
  );
}
if (jsonFile)
  writeFileSync(
    jsonFile,
    JSON.stringify({ bars: N, node: process.version, date: new Date().toISOString(), rows }, null, 2),
  );
if (sink === 42) console.log("");
