// The rolling sums of HV/Sharpe/Sortino add with a branch-free TwoSum error term instead of Neumaier's branch
// (|s| >= |v| ? (s - t) + v : (v - t) + s). Both compute the exact rounding error of s + v, so the values are the
// same bits: checked on the error terms directly and on the indicators against a Neumaier reference, exactly.
import { describe, expect, it } from "vitest";
import { prng, randomBars } from "../testing/fixtures.ts";
import { Hv, Sharpe, Sortino, VARIANCE_FLOOR } from "./returns-window.ts";

const neumaier = (s: number, v: number) => {
  const t = s + v;
  return Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
};
const twoSum = (s: number, v: number) => {
  const t = s + v;
  const bv = t - s;
  return s - (t - bv) + (v - bv);
};

/** The window of ReturnsWindow written plainly with Neumaier's branch (the arithmetic before TwoSum). */
function reference(close: Float64Array, period: number, mode: 0 | 1 | 2, ann: number): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN);
  const acc = [0, 0, 0, 0, 0, 0];
  const add = (i: number, v: number) => {
    const s = acc[i]!;
    acc[i + 1]! += neumaier(s, v);
    acc[i] = s + v;
  };
  const buf: number[] = [];
  const sq = Math.sqrt(ann);
  for (let i = 1; i < close.length; i++) {
    const r = Math.log(close[i]! / close[i - 1]!);
    if (buf.length === period) {
      const old = buf.shift()!;
      add(0, -old);
      add(2, -(old * old));
      if (old < 0) add(4, -(old * old));
    }
    add(0, r);
    add(2, r * r);
    if (r < 0) add(4, r * r);
    buf.push(r);
    if (buf.length < period) continue;
    const s1 = acc[0]! + acc[1]!;
    const mean = s1 / period;
    if (mode === 2) {
      const dv = (acc[4]! + acc[5]!) / period;
      out[i] = dv < VARIANCE_FLOOR ? 0 : (mean / Math.sqrt(dv)) * sq;
      continue;
    }
    let v = (acc[2]! + acc[3]! - s1 * mean) / (period - 1);
    if (v < VARIANCE_FLOOR) v = 0;
    const sd = Math.sqrt(v);
    out[i] = mode === 0 ? sd * sq : sd === 0 ? 0 : (mean / sd) * sq;
  }
  return out;
}

describe("compensated sums: TwoSum === Neumaier", () => {
  it("error terms are the same bits for 2,000,000 pairs over wide magnitude ranges", () => {
    const r = prng(77);
    for (let k = 0; k < 2_000_000; k++) {
      const s = (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
      const v = (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
      const a = neumaier(s, v);
      const b = twoSum(s, v);
      if (!Object.is(a + 0, b + 0)) throw new Error(`${s} + ${v}: ${a} vs ${b}`);
    }
    expect(twoSum(1, 1e-17)).toBe(1e-17);
  });
  it("HV, Sharpe, Sortino equal the Neumaier reference exactly on 100,000 bars (gaps, flat runs, extreme moves)", () => {
    const c = randomBars(100_000, 2028).close;
    for (const period of [2, 20, 63]) {
      const inds = [new Hv(period, { periodsPerYear: 365 }), new Sharpe(period), new Sortino(period)];
      inds.forEach((ind, mode) => {
        const ref = reference(c, period, mode as 0 | 1 | 2, mode === 0 ? 365 : 252);
        for (let i = 0; i < c.length; i++) {
          const got = ind.update(c[i]!) ?? Number.NaN;
          if (!Object.is(got, ref[i])) throw new Error(`${ind.kind} ${period} at ${i}: ${got} vs ${ref[i]}`);
        }
      });
    }
  });
});
