import { describe, expect, it } from "vitest";
import { dueMessages, latencySummary, percentile } from "./bench.ts";

describe("dueMessages", () => {
  it("follows the rate and never exceeds the total", () => {
    expect(dueMessages(0, 1_000, 100)).toBe(0);
    expect(dueMessages(15, 1_000, 100)).toBe(15);
    expect(dueMessages(1_500, 20, 100)).toBe(30);
    expect(dueMessages(10_000, 1_000, 100)).toBe(100);
  });

  it("sends nothing before the start", () => {
    expect(dueMessages(-5, 1_000, 100)).toBe(0);
  });
});

describe("percentile", () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted

  it("is the nearest rank", () => {
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7, 3], 50)).toBe(3);
  });

  it("is 0 without samples", () => {
    expect(percentile([], 99)).toBe(0);
    expect(latencySummary([])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
