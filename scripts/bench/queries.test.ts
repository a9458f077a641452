import { universeSeries } from "@quant/core";
import { describe, expect, it } from "vitest";
import { datasetPlan, percentile } from "./queries.ts";

describe("bench dataset plan", () => {
  it("covers every series of the universe and adds up to N", () => {
    for (const n of [10_000, 100_000, 1_000_000]) {
      const plan = datasetPlan(n);
      expect(plan).toHaveLength(universeSeries().length);
      expect(plan.reduce((a, p) => a + p.count, 0)).toBe(n);
    }
  });
  it("caps daily series at about 24 years", () => {
    const plan = datasetPlan(1_000_000);
    for (const p of plan.filter((p) => p.series.interval === "1d")) expect(p.count).toBe(6_000);
  });
});

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });
});
