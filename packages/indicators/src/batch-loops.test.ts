// The batch forms of SMA, EMA, RSI, MACD, BBANDS, STDDEV and ATR run their own loops over the input arrays (no ring,
// no per-element method calls): they must do exactly the streaming update's floating-point operations in the same
// order. Checked with Object.is on 100,000-bar random walks (time gaps, flat runs, zero volume, extreme moves,
// high == low bars), on a series with zero/negative values (allowNonPositive), for several periods (including the
// smallest allowed) and for inputs shorter than the warm-up, with number[] and Float64Array input.
import { describe, expect, it } from "vitest";
import { randomBars } from "./testing/fixtures.ts";
import { Ema, ema } from "./trend/ema.ts";
import { Macd, macd } from "./trend/macd.ts";
import { Rsi, rsi } from "./trend/rsi.ts";
import { Sma, sma } from "./trend/sma.ts";
import { Atr, atr } from "./volatility/atr.ts";
import { Bbands, bbands } from "./volatility/bbands.ts";
import { StdDev, stddev } from "./volatility/stddev.ts";

const N = 100_000;
const b = randomBars(N, 2027);
// bond-yield-like series around 0 (zero and negative values, flat runs at 0 included)
const y = Float64Array.from(b.close, (x) => Math.round((x - 100) * 8) / 64);
const np = { allowNonPositive: true };

function same(name: string, got: Float64Array, want: Float64Array): void {
  expect(got.length, name).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${name} at ${i}: batch ${got[i]} vs streaming ${want[i]}`);
  }
}
/** Streaming outputs: read(ind) after each update, NaN where update() returned undefined. */
function stream<T>(n: number, ind: T, upd: (ind: T, i: number) => unknown, read: (ind: T) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = upd(ind, i) === undefined ? Number.NaN : read(ind);
  return out;
}
/** Streaming outputs over the series x: update(x[i]) for each i, then read(ind) (NaN while absent). */
function streamOver<T extends { update(x: number): unknown }>(
  x: ArrayLike<number>,
  ind: T,
  read: (ind: T) => number,
): Float64Array {
  return stream(x.length, ind, (o, i) => o.update(x[i]!), read);
}

describe("batch loops === streaming update (Object.is), 100,000 bars", () => {
  for (const [label, c, opts] of [
    ["prices", b.close, undefined],
    ["yields (allowNonPositive)", y, np],
  ] as const) {
    const sizes = [N, 0, 1, 2, 13, 14, 15, 25, 26, 33, 34, 35];
    it(`${label}: SMA, EMA, RSI, STDDEV`, () => {
      for (const n of sizes) {
        const x = c.subarray(0, n);
        for (const p of [1, 2, 14, 20, 200]) {
          same(
            `sma ${p} n${n}`,
            sma(x, p, opts),
            streamOver(x, new Sma(p, opts), (o) => o.value!),
          );
          same(
            `ema ${p} n${n}`,
            ema(x, p, opts),
            streamOver(x, new Ema(p, opts), (o) => o.value!),
          );
          if (p < 2) continue;
          same(
            `rsi ${p} n${n}`,
            rsi(x, p, opts),
            streamOver(x, new Rsi(p, opts), (o) => o.value!),
          );
          for (const d of [1, 2, 0.5]) {
            same(
              `stddev ${p},${d} n${n}`,
              stddev(x, p, d, opts),
              streamOver(x, new StdDev(p, d, opts), (o) => o.value!),
            );
          }
        }
      }
    });
    it(`${label}: MACD (all three lines, swapped periods, signal 1)`, () => {
      for (const n of sizes) {
        const x = c.subarray(0, n);
        for (const [f, s, g] of [
          [12, 26, 9],
          [26, 12, 9],
          [5, 35, 5],
          [2, 3, 1],
          [7, 7, 2],
        ] as const) {
          const got = macd(x, f, s, g, opts);
          for (const [line, field] of [
            ["macd", "macd"],
            ["signal", "signalValue"],
            ["hist", "hist"],
          ] as const) {
            same(
              `${line} ${f},${s},${g} n${n}`,
              got[line],
              streamOver(x, new Macd(f, s, g, opts), (o) => o[field]),
            );
          }
        }
      }
    });
    it(`${label}: BBANDS (all three bands, asymmetric deviations)`, () => {
      for (const n of sizes) {
        const x = c.subarray(0, n);
        for (const [p, up, dn] of [
          [20, 2, 2],
          [2, 1, 1],
          [5, 1.5, 3],
          [50, 2.5, 0.5],
        ] as const) {
          const got = bbands(x, p, up, dn, opts);
          for (const band of ["upper", "middle", "lower"] as const) {
            same(
              `${band} ${p} n${n}`,
              got[band],
              streamOver(x, new Bbands(p, up, dn, opts), (o) => o[band]),
            );
          }
        }
      }
    });
  }
  it("ATR (prices and shifted yields, periods 1, 2, 14, 50)", () => {
    const shift = (a: Float64Array) => Float64Array.from(a, (v) => v - 100);
    for (const [h, l, c, opts] of [
      [b.high, b.low, b.close, undefined],
      [shift(b.high), shift(b.low), shift(b.close), np],
    ] as const) {
      for (const n of [N, 0, 1, 2, 14, 15, 16]) {
        for (const p of [1, 2, 14, 50]) {
          const a = new Atr(p, opts);
          same(
            `atr ${p} n${n}`,
            atr(h.subarray(0, n), l.subarray(0, n), c.subarray(0, n), p, opts),
            stream(
              n,
              a,
              (o, i) => o.update(h[i]!, l[i]!, c[i]!),
              (o) => o.value!,
            ),
          );
        }
      }
    }
  });
  it("number[] input gives the same result as Float64Array input", () => {
    const arr = Array.from(b.close.subarray(0, 20_000));
    const f64 = b.close.subarray(0, 20_000);
    same("sma", sma(arr, 20), sma(f64, 20));
    same("ema", ema(arr, 20), ema(f64, 20));
    same("rsi", rsi(arr, 14), rsi(f64, 14));
    same("macd", macd(arr).hist, macd(f64).hist);
    same("bbands", bbands(arr).lower, bbands(f64).lower);
    same("stddev", stddev(arr), stddev(f64));
    same("atr", atr(Array.from(b.high), Array.from(b.low), arr), atr(b.high, b.low, f64).subarray(0, 20_000));
  });
});
