// The metric set shares work between metrics (one return window for hv20/sharpe/sortino, one record per state):
// every field must still equal its standalone indicator exactly, for any ratioPeriod and across checkpoints.
import { describe, expect, it } from "vitest";
import { Hv, Sharpe, Sortino } from "../quant/returns-window.ts";
import { CumReturn, Drawdown, LogReturn } from "../quant/simple.ts";
import { barAt, randomBars } from "../testing/fixtures.ts";
import { Ema } from "../trend/ema.ts";
import { Macd } from "../trend/macd.ts";
import { Mom } from "../trend/mom.ts";
import { Roc } from "../trend/roc.ts";
import { Rsi } from "../trend/rsi.ts";
import { Sma } from "../trend/sma.ts";
import { Atr } from "../volatility/atr.ts";
import { Bbands } from "../volatility/bbands.ts";
import { StdDev } from "../volatility/stddev.ts";
import { Ad } from "../volume/ad.ts";
import { Obv } from "../volume/obv.ts";
import { Vwap } from "../volume/vwap.ts";
import { BAR_METRIC_FIELDS, BarIndicators } from "./bar-indicators.ts";

const N = 3000;
const b = randomBars(N, 17);
const bar = (i: number) => barAt(b, i);

describe("BarIndicators shared return window", () => {
  for (const ratioPeriod of [20, 30]) {
    it(`hv20, sharpe, sortino equal the standalone classes exactly (ratioPeriod ${ratioPeriod})`, () => {
      const set = new BarIndicators({ ratioPeriod, periodsPerYear: 365 });
      const hv = new Hv(20, { periodsPerYear: 365 });
      const sh = new Sharpe(ratioPeriod, { periodsPerYear: 365 });
      const so = new Sortino(ratioPeriod, { periodsPerYear: 365 });
      for (let i = 0; i < N; i++) {
        const v = set.update(bar(i));
        expect(Object.is(v.hv20, hv.update(b.close[i]!))).toBe(true);
        expect(Object.is(v.sharpe, sh.update(b.close[i]!))).toBe(true);
        expect(Object.is(v.sortino, so.update(b.close[i]!))).toBe(true);
        expect(set.values).toBe(v);
      }
    });
  }

  it("checkpoint keeps one state per metric (hv20, sharpe, sortino as the standalone classes write them)", () => {
    const set = new BarIndicators();
    const hv = new Hv(20);
    const sh = new Sharpe(20);
    const so = new Sortino(20);
    for (let i = 0; i < 500; i++) {
      set.update(bar(i));
      hv.update(b.close[i]!);
      sh.update(b.close[i]!);
      so.update(b.close[i]!);
    }
    const st = JSON.parse(JSON.stringify(set));
    // the undo record's previous output is the shared window's (never read back: step() always recomputes it)
    const { undo: _u, ...hvState } = st.s.hv20;
    const { undo: _v, ...hvRef } = JSON.parse(JSON.stringify(hv));
    expect(hvState).toEqual(hvRef);
    expect(st.s.sharpe.out).toEqual(JSON.parse(JSON.stringify(sh)).out);
    expect(st.s.sortino.out).toEqual(JSON.parse(JSON.stringify(so)).out);
    const r = BarIndicators.fromJSON(st);
    const ref = BarIndicators.fromJSON(st);
    for (let i = 500; i < N; i++) {
      const v = { ...r.update(bar(i)) };
      const w = ref.update(bar(i));
      for (const f of BAR_METRIC_FIELDS) expect(Object.is(v[f], w[f])).toBe(true);
    }
  });
});

describe("BarIndicators reads sma20, stddev20 from the BBANDS window and logReturn from the return window", () => {
  for (const allowNonPositive of [false, true]) {
    it(`values and checkpoint states equal standalone Sma(20), StdDev(20), LogReturn exactly (allowNonPositive ${allowNonPositive})`, () => {
      // yields cross zero: log returns are absent around non-positive values
      const px = (i: number) => (allowNonPositive ? Math.round((b.close[i]! - 100) * 4) / 16 : b.close[i]!);
      const barAt = (i: number, close = px(i)) => ({
        ts: b.ts[i]!,
        open: close,
        high: close,
        low: close,
        close,
        volume: b.volume[i]!,
      });
      const o = { allowNonPositive };
      const set = new BarIndicators(o);
      const sma = new Sma(20, o);
      const sd = new StdDev(20, 1, o);
      const lr = new LogReturn(o);
      const states = () => {
        const st = JSON.parse(JSON.stringify(set));
        expect(st.s.sma20).toEqual(JSON.parse(JSON.stringify(sma)));
        expect(st.s.stddev20).toEqual(JSON.parse(JSON.stringify(sd)));
        expect(st.s.logReturn).toEqual(JSON.parse(JSON.stringify(lr)));
      };
      states();
      for (let i = 0; i < N; i++) {
        if (i % 5 === 0) {
          // a provisional version of the bar first, then the final one through replace()
          const x = px(i) * 1.01 + 0.5;
          set.update(barAt(i, x));
          sma.update(x);
          sd.update(x);
          lr.update(x);
          if (i < 30 || i % 250 === 0) states();
          const v = set.replace(barAt(i));
          expect(Object.is(v.sma20, sma.replace(px(i))), `sma20 ${i}`).toBe(true);
          expect(Object.is(v.stddev20, sd.replace(px(i))), `stddev20 ${i}`).toBe(true);
          expect(Object.is(v.logReturn, lr.replace(px(i))), `logReturn ${i}`).toBe(true);
        } else {
          const v = set.update(barAt(i));
          expect(Object.is(v.sma20, sma.update(px(i))), `sma20 ${i}`).toBe(true);
          expect(Object.is(v.stddev20, sd.update(px(i))), `stddev20 ${i}`).toBe(true);
          expect(Object.is(v.logReturn, lr.update(px(i))), `logReturn ${i}`).toBe(true);
        }
        if (i < 30 || i % 250 === 0) states();
      }
      states();
    });
  }
});

describe("BarIndicators warm flags", () => {
  it("match the values on every bar, also when fields drop out and come back (non-positive bars)", () => {
    const set = new BarIndicators({ allowNonPositive: true });
    let hot = 0;
    let cold = 0;
    for (let i = 0; i < N; i++) {
      // now and then a non-positive bar: ratio metrics are absent on it (and logReturn on the next bar)
      const close = i % 97 === 50 ? -(i % 3) : b.close[i]!;
      const v = set.update({ ts: b.ts[i]!, open: close, high: close, low: close, close, volume: b.volume[i]! });
      let all = true;
      for (const f of BAR_METRIC_FIELDS) {
        expect(set.warm[f], `${f} at ${i}`).toBe(v[f] !== undefined);
        all &&= v[f] !== undefined;
      }
      if (i > 250) {
        if (all) hot++;
        else cold++;
      }
    }
    // both records were in use after the warm-up, with switches between them
    expect(hot).toBeGreaterThan(50);
    expect(cold).toBeGreaterThan(50);
  });
});

describe("BarIndicators (internal step()) === standalone indicators (update(), replace())", () => {
  it("every field, exactly, with replacements of the forming bar", () => {
    const set = new BarIndicators({ periodsPerYear: 365 });
    const o = { periodsPerYear: 365 };
    const sma = [new Sma(20), new Sma(50), new Sma(200)];
    const ema = new Ema(20);
    const macd = new Macd();
    const rsi = new Rsi(14);
    const roc = new Roc(10);
    const mom = new Mom(10);
    const bb = new Bbands(20, 2);
    const atr = new Atr(14);
    const sd = new StdDev(20);
    const hv = new Hv(20, o);
    const sh = new Sharpe(20, o);
    const so = new Sortino(20, o);
    const obv = new Obv();
    const vwap = new Vwap();
    const ad = new Ad();
    const lr = new LogReturn();
    const cr = new CumReturn();
    const dd = new Drawdown();
    const u = (x: number | undefined) => x;
    for (let i = 0; i < N; i++) {
      for (const rep of i % 4 === 0 ? [false, true] : [false]) {
        // on every 4th bar: first a provisional version (update), then the final bar (replace)
        const k = rep || i % 4 !== 0 ? 1 : 1.013;
        const B = { ...bar(i), close: b.close[i]! * k };
        B.high = Math.max(B.high, B.close);
        B.low = Math.min(B.low, B.close);
        const { ts, high, low, close, volume } = B;
        const v = rep ? set.replace(B) : set.update(B);
        const f = rep ? "replace" : "update";
        const want: Record<string, number | undefined> = {
          sma20: sma[0]![f](close),
          sma50: sma[1]![f](close),
          sma200: sma[2]![f](close),
          ema20: ema[f](close),
          macd: u(macd[f](close) && macd.macd),
          macdSignal: u(macd.isWarm ? macd.signalValue : undefined),
          macdHist: u(macd.isWarm ? macd.hist : undefined),
          rsi14: rsi[f](close),
          roc10: roc[f](close),
          mom10: mom[f](close),
          bbUpper: u(bb[f](close) === undefined ? undefined : bb.upper),
          bbMiddle: u(bb.isWarm ? bb.middle : undefined),
          bbLower: u(bb.isWarm ? bb.lower : undefined),
          atr14: atr[f](high, low, close),
          stddev20: sd[f](close),
          hv20: hv[f](close),
          obv: obv[f](close, volume),
          vwap: vwap[f](ts, high, low, close, volume),
          ad: ad[f](high, low, close, volume),
          logReturn: lr[f](close),
          cumReturn: cr[f](close),
          sharpe: sh[f](close),
          sortino: so[f](close),
          drawdown: dd[f](close),
          maxDrawdown: dd.maxDrawdown,
        };
        for (const name of BAR_METRIC_FIELDS) {
          if (!Object.is(v[name], want[name]))
            throw new Error(`${name} at bar ${i} (${f}): ${v[name]} vs ${want[name]}`);
        }
      }
    }
  });
});
