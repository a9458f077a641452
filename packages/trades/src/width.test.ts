import { describe, expect, it } from "vitest";
import { parseWidth, parseWidths, windowStart } from "./width.ts";

describe("candle widths", () => {
  it("parses labels to milliseconds, finest first", () => {
    expect(parseWidths("1m, 1s,10s").map((w) => [w.label, w.ms])).toEqual([
      ["1s", 1_000],
      ["10s", 10_000],
      ["1m", 60_000],
    ]);
    expect(parseWidth("05s")).toEqual({ label: "5s", ms: 5_000 });
  });

  it("refuses what is not a width, does not divide a day, or repeats", () => {
    expect(() => parseWidth("1d")).toThrow(/not a candle width/);
    expect(() => parseWidth("7s")).toThrow(/does not divide a day/);
    expect(() => parseWidth("0s")).toThrow(/does not divide a day/);
    expect(() => parseWidths("1s,1000ms")).toThrow(/not a candle width/);
    expect(() => parseWidths("60s,1m")).toThrow(/given twice/);
    expect(() => parseWidths(" , ")).toThrow(/at least one/);
  });

  it("aligns windows to the epoch", () => {
    expect(windowStart(1_704_067_212_345, 10_000)).toBe(1_704_067_210_000);
    expect(windowStart(1_704_067_210_000, 10_000)).toBe(1_704_067_210_000);
  });
});
