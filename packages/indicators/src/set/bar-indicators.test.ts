// The metric set shares work between metrics (one return window for hv20/sharpe/sortino, one record per state):
// every field must still equal its standalone indicator exactly, for any ratioPeriod and across checkpoints.
import { describe, expect, it } from "vitest";
import { Hv, Sharpe, Sortino } from "../quant/returns-window.ts";
import { randomBars } from "../testing/fixtures.ts";
import { BAR_METRIC_FIELDS, BarIndicators } from "./bar-indicators.ts";

const N = 3000;
const b = randomBars(N, 17);
const bar = (i: number) => ({
  ts: b.ts[i]!,
  open: b.open[i]!,
  high: b.high[i]!,
  low: b.low[i]!,
  close: b.close[i]!,
  volume: b.volume[i]!,
});

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
