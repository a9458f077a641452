// Batch forms validate the whole series before computing: a bad value anywhere throws the same InvalidInputError
// (same field) that update() throws for it.
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "./errors.ts";
import { randomBars } from "./testing/fixtures.ts";
import { ema } from "./trend/ema.ts";
import { macd } from "./trend/macd.ts";
import { rsi } from "./trend/rsi.ts";
import { sma } from "./trend/sma.ts";
import { atr } from "./volatility/atr.ts";
import { bbands } from "./volatility/bbands.ts";
import { stddev } from "./volatility/stddev.ts";

const b = randomBars(500, 5);
describe("batch validation", () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1]) {
    it(`close ${bad} at bar 400 throws InvalidInputError("close")`, () => {
      const c = Float64Array.from(b.close);
      c[400] = bad;
      for (const f of [() => sma(c), () => ema(c), () => rsi(c), () => macd(c), () => bbands(c), () => stddev(c)]) {
        expect(f).toThrow(InvalidInputError);
        try {
          f();
        } catch (e) {
          expect((e as InvalidInputError).field).toBe("close");
        }
      }
      expect(() => atr(b.high, b.low, c)).toThrow(InvalidInputError);
    });
  }
  it("atr: high < low throws InvalidInputError('high'); bond yields pass with allowNonPositive", () => {
    const hi = Float64Array.from(b.high);
    hi[300] = b.low[300]! / 2;
    expect(() => atr(hi, b.low, b.close)).toThrow(/high/);
    const c = Float64Array.from(b.close, (x) => x - 100);
    expect(sma(c, 20, { allowNonPositive: true })[499]).toBeCloseTo(c.subarray(480).reduce((s, x) => s + x, 0) / 20, 9);
  });
});
