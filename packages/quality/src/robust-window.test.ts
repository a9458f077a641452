import { describe, expect, it } from "vitest";
import { RobustWindow } from "./robust-window.ts";

function naiveMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** A seeded sequence with ties (rounded values), so equal values are exercised. */
function sequence(n: number, seed: number): number[] {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.round(((a / 2_147_483_648) * 2 - 1) * 40) / 10;
  });
}

describe("RobustWindow", () => {
  it("keeps the median and MAD of the last `capacity` values (checked against sorting, with ties)", () => {
    for (const capacity of [1, 2, 5, 50]) {
      const w = new RobustWindow(capacity);
      const kept: number[] = [];
      for (const x of sequence(400, capacity)) {
        w.push(x);
        kept.push(x);
        if (kept.length > capacity) kept.shift();
        const m = naiveMedian(kept);
        expect(w.median()).toBe(m);
        expect(w.mad(m)).toBe(naiveMedian(kept.map((k) => Math.abs(k - m))));
        expect(w.mad(0.35)).toBe(naiveMedian(kept.map((k) => Math.abs(k - 0.35))));
        expect(w.size).toBe(kept.length);
      }
    }
  });

  it("undoes the last push, restoring the value it evicted", () => {
    const w = new RobustWindow(3);
    for (const x of [1, 2, 3]) w.push(x);
    w.push(10); // evicts 1
    expect(w.toJSON().values).toEqual([2, 3, 10]);
    w.undo();
    expect(w.toJSON().values).toEqual([1, 2, 3]);
    expect(w.median()).toBe(2);
    expect(() => w.undo()).toThrow(/nothing to undo/);
    const small = new RobustWindow(5);
    small.push(4);
    small.push(7);
    small.undo();
    expect(small.toJSON().values).toEqual([4]);
  });

  it("round-trips through JSON, undo information included", () => {
    const w = new RobustWindow(4);
    for (const x of [5, -1, 2, 8, 3]) w.push(x);
    const copy = RobustWindow.fromJSON(JSON.parse(JSON.stringify(w.toJSON())));
    expect(copy.toJSON()).toEqual(w.toJSON());
    copy.undo();
    w.undo();
    expect(copy.toJSON()).toEqual(w.toJSON());
    expect(copy.median()).toBe(w.median());
  });

  it("answers NaN while empty and refuses a bad capacity", () => {
    expect(new RobustWindow(3).median()).toBeNaN();
    expect(() => new RobustWindow(0)).toThrow(RangeError);
  });
});
