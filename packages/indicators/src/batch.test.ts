// Batch forms equal streaming exactly (Object.is), for every metric.
import { describe, expect, it } from "vitest";
import { Beta, Correl, ReturnCorrelation, runPair, Spread } from "./cross/pair.ts";
import { Hv, hv, Sharpe, Sortino, sharpe, sortino } from "./quant/returns-window.ts";
import { CumReturn, cumReturn, Drawdown, drawdown, LogReturn, logReturn } from "./quant/simple.ts";
import { randomBars } from "./testing/fixtures.ts";
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
import { Vwap, vwap } from "./volume/vwap.ts";

const N = 20_000;
const b = randomBars(N, 8);
const o = randomBars(N, 9);
const c = b.close;

function stream(f: (i: number) => number | undefined): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = f(i) ?? Number.NaN;
  return out;
}
function same(x: Float64Array, y: Float64Array) {
  for (let i = 0; i < N; i++) if (!Object.is(x[i], y[i])) throw new Error(`${i}: ${x[i]} vs ${y[i]}`);
  expect(x.length).toBe(y.length);
}

describe("batch === streaming", () => {
  it("close-based", () => {
    const s1 = [new Sma(50), new Ema(20), new Rsi(14), new Roc(10), new Mom(10), new StdDev(20), new Hv(20)];
    const b1 = [sma(c, 50), ema(c, 20), rsi(c, 14), roc(c, 10), mom(c, 10), stddev(c, 20), hv(c, 20)];
    s1.forEach((ind, k) => {
      same(
        b1[k]!,
        stream((i) => ind.update(c[i]!)),
      );
    });
    const s2 = [new Sharpe(20), new Sortino(20), new LogReturn(), new CumReturn()];
    const b2 = [sharpe(c, 20), sortino(c, 20), logReturn(c), cumReturn(c)];
    s2.forEach((ind, k) => {
      same(
        b2[k]!,
        stream((i) => ind.update(c[i]!)),
      );
    });
  });
  it("multi-output", () => {
    const m = new Macd();
    const mb = macd(c);
    const rows = Array.from(c, (x) => (m.update(x) ? [m.macd, m.signalValue, m.hist] : [NaN, NaN, NaN]));
    same(
      mb.macd,
      Float64Array.from(rows, (r) => r[0]!),
    );
    same(
      mb.signal,
      Float64Array.from(rows, (r) => r[1]!),
    );
    same(
      mb.hist,
      Float64Array.from(rows, (r) => r[2]!),
    );
    const bb = new Bbands(20, 2);
    const bbb = bbands(c, 20, 2);
    const up = stream((i) => (bb.update(c[i]!) === undefined ? undefined : bb.upper));
    same(bbb.upper, up);
    const d = new Drawdown();
    const db = drawdown(c);
    same(
      db.drawdown,
      stream((i) => d.update(c[i]!)),
    );
  });
  it("OHLCV-based", () => {
    const a = new Atr(14);
    same(
      atr(b.high, b.low, c, 14),
      stream((i) => a.update(b.high[i]!, b.low[i]!, c[i]!)),
    );
    const ob = new Obv();
    same(
      obv(c, b.volume),
      stream((i) => ob.update(c[i]!, b.volume[i]!)),
    );
    const ad1 = new Ad();
    same(
      ad(b.high, b.low, c, b.volume),
      stream((i) => ad1.update(b.high[i]!, b.low[i]!, c[i]!, b.volume[i]!)),
    );
    const v = new Vwap();
    same(
      vwap(b.ts, b.high, b.low, c, b.volume),
      stream((i) => v.update(b.ts[i]!, b.high[i]!, b.low[i]!, c[i]!, b.volume[i]!)),
    );
  });
  it("pairs", () => {
    for (const mk of [() => new Beta(20), () => new Correl(30), () => new ReturnCorrelation(30), () => new Spread()]) {
      const s = mk();
      same(
        runPair(mk(), c, o.close),
        stream((i) => s.update(c[i]!, o.close[i]!)),
      );
    }
  });
});
