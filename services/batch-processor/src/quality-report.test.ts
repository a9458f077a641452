import { emptyDayCounts, type QualitySeriesSummary, UsageError } from "@quant/core";
import { describe, expect, it } from "vitest";
import { parseQualityArgs, qualityTable } from "./quality-report.ts";

describe("pnpm quality", () => {
  it("reads a range (default: the last seven days), symbols and --json", () => {
    expect(parseQualityArgs([], "2024-10-09")).toEqual({
      from: "2024-10-03",
      to: "2024-10-09",
      symbols: null,
      json: null,
    });
    expect(
      parseQualityArgs(["--from", "2024-10-01", "--to", "2024-10-04", "--symbols", "AAPL, MSFT", "--json", "q.json"]),
    ).toEqual({
      from: "2024-10-01",
      to: "2024-10-04",
      symbols: ["AAPL", "MSFT"],
      json: "q.json",
    });
    for (const bad of [["--from", "2024-10-05", "--to", "2024-10-01"], ["--to", "yesterday"], ["--nope"]])
      expect(() => parseQualityArgs(bad)).toThrow(UsageError);
  });

  it("prints one aligned line per series with its counts and score", () => {
    const s: QualitySeriesSummary = {
      symbol: "AAPL",
      assetClass: "equity",
      interval: "5m",
      days: 2,
      from: "2024-10-02",
      to: "2024-10-03",
      score: 0.7308,
      worstDay: { tradingDate: "2024-10-03", score: 0.4872 },
      lastTs: null,
      ...emptyDayCounts(),
    };
    Object.assign(s, { expected: 156, bars: 116, missing: 40, gaps: 1, flagged: 2, staleRuns: 1 });
    s.flags.return_outlier = 1;
    s.flags.range_outlier = 1;
    const lines = qualityTable({ from: "2024-10-02", to: "2024-10-03", symbols: null, json: null }, [s]);
    expect(lines[0]).toMatch(
      /^series\s+days\s+expected\s+present\s+missing\s+gaps\s+outliers\s+conflicts\s+stale runs/,
    );
    expect(lines[1]).toMatch(
      /^AAPL 5m\s+2\s+156\s+116\s+40\s+1\s+2\s+0\s+1\s+0\s+0\s+0\s+0\.7308\s+2024-10-03 0\.4872$/,
    );
    expect(lines[2]).toBe("quality 2024-10-02..2024-10-03: 1 series, 40 bar(s) missing, 2 bar(s) flagged");
  });
});
