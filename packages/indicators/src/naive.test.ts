// Metrics TA-Lib lacks, against plainly written O(n·period) re-computations (definitions: docs/indicators.md).
import { describe, expect, it } from "vitest";
import { alignedBatch } from "./cross/aligned.ts";
import { Spread } from "./cross/pair.ts";
import { periodsPerYear } from "./quant/annualisation.ts";
import { hv, sharpe, sortino } from "./quant/returns-window.ts";
import { cumReturn, drawdown, logReturn } from "./quant/simple.ts";
import { randomBars } from "./testing/fixtures.ts";
import { exchangeDaySession, utcDaySession, vwap } from "./volume/vwap.ts";

const N = 100_000;
const b = randomBars(N, 4);
const c = b.close;

function close(ours: Float64Array, ref: number[], tol = 1e-9) {
  expect(ours.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const a = ours[i]!;
    const r = ref[i]!;
    if (Number.isNaN(r)) {
      if (!Number.isNaN(a)) throw new Error(`${i}: ours ${a}, ref NaN`);
      continue;
    }
    if (!(Math.abs(a - r) <= tol * Math.max(1, Math.abs(r)))) throw new Error(`${i}: ours ${a}, ref ${r}`);
  }
}

function naiveWindow(period: number, ann: number, f: (rs: number[]) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    if (i < period) {
      out.push(Number.NaN);
      continue;
    }
    const rs: number[] = [];
    for (let k = i - period + 1; k <= i; k++) rs.push(Math.log(c[k]! / c[k - 1]!));
    out.push(f(rs) * Math.sqrt(ann));
  }
  return out;
}
const mean = (rs: number[]) => rs.reduce((s, x) => s + x, 0) / rs.length;
const sampleSd = (rs: number[]) => {
  const m = mean(rs);
  const v = rs.reduce((s, x) => s + (x - m) ** 2, 0) / (rs.length - 1);
  return Math.sqrt(v < 1e-24 ? 0 : v);
};

describe("non-TA-Lib metrics vs naive re-computation (100,000 bars)", () => {
  it("log return, cumulative return, drawdown, max drawdown", () => {
    close(
      logReturn(c),
      Array.from(c, (x, i) => (i === 0 ? Number.NaN : Math.log(x / c[i - 1]!))),
      0,
    );
    close(
      cumReturn(c),
      Array.from(c, (x) => x / c[0]! - 1),
      0,
    );
    let peak = 0;
    let mdd = 0;
    const dd: number[] = [];
    const mdds: number[] = [];
    for (const x of c) {
      peak = Math.max(peak, x);
      const d = x / peak - 1;
      mdd = Math.min(mdd, d);
      dd.push(d);
      mdds.push(mdd);
    }
    const ours = drawdown(c);
    close(ours.drawdown, dd, 0);
    close(ours.maxDrawdown, mdds, 0);
  });
  it("HV (sample σ of log returns, annualised)", () => {
    for (const [p, ann] of [
      [20, 252],
      [5, 365],
      [60, periodsPerYear("equity", 78)],
    ] as const) {
      close(hv(c, p, { periodsPerYear: ann }), naiveWindow(p, ann, sampleSd));
    }
  });
  it("rolling Sharpe and Sortino", () => {
    close(
      sharpe(c, 20),
      naiveWindow(20, 252, (rs) => (sampleSd(rs) === 0 ? 0 : mean(rs) / sampleSd(rs))),
    );
    close(
      sortino(c, 20, { periodsPerYear: 365 }),
      naiveWindow(20, 365, (rs) => {
        const dv = rs.reduce((s, x) => s + Math.min(x, 0) ** 2, 0) / rs.length;
        return dv < 1e-24 ? 0 : mean(rs) / Math.sqrt(dv);
      }),
    );
  });
  it("VWAP resets per session (UTC day for crypto, exchange-local day for equities)", () => {
    for (const session of [utcDaySession, exchangeDaySession("America/New_York")]) {
      const ref: number[] = [];
      let key = Number.NaN;
      let start = 0;
      for (let i = 0; i < N; i++) {
        const k = session(b.ts[i]!);
        if (k !== key) {
          key = k;
          start = i;
        }
        let pv = 0;
        let v = 0;
        for (let j = start; j <= i; j++) {
          pv += ((b.high[j]! + b.low[j]! + b.close[j]!) / 3) * b.volume[j]!;
          v += b.volume[j]!;
        }
        ref.push(v > 0 ? pv / v : (b.high[i]! + b.low[i]! + b.close[i]!) / 3);
        if (i > 20_000) break;
      }
      close(vwap(b.ts, b.high, b.low, b.close, b.volume, session).subarray(0, ref.length), ref);
    }
    // New York session: 2024-03-10 (DST starts): 23:30 local on the 9th and 00:30 local on the 10th differ
    const s = exchangeDaySession("America/New_York");
    expect(s(Date.UTC(2024, 2, 10, 4, 30))).not.toBe(s(Date.UTC(2024, 2, 10, 5, 30)));
    expect(s(Date.UTC(2024, 2, 10, 13, 30))).toBe(s(Date.UTC(2024, 2, 10, 20, 0)));
  });
  it("spread / yield-curve slope joins on timestamp, not position (bond yields may be 0 or negative)", () => {
    const tsA = [1, 2, 3, 5, 6, 8];
    const tnx = [4.1, 4.2, 0, -0.1, 4.5, 4.6];
    const tsB = [2, 3, 4, 5, 8];
    const irx = [5.0, 5.1, 5.2, 0.2, 5.3];
    const r = alignedBatch(new Spread(), tsA, tnx, tsB, irx);
    expect(Array.from(r.ts)).toEqual([2, 3, 5, 8]);
    expect(Array.from(r.values)).toEqual([4.2 - 5.0, 0 - 5.1, -0.1 - 0.2, 4.6 - 5.3]);
  });
});
