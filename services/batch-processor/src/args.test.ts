import { analyzeExplain, UsageError } from "@quant/core";
import { describe, expect, it } from "vitest";
import { parseRangeArgs, splitRequest } from "./args.ts";

describe("parseRangeArgs", () => {
  it("reads --date or --from/--to, asset types, symbols and intervals", () => {
    expect(parseRangeArgs(["--date", "2024-01-02", "--asset-type", "equities", "--symbols", "AAPL,MSFT"])).toEqual({
      from: "2024-01-02",
      to: "2024-01-02",
      assetClasses: ["equity"],
      symbols: ["AAPL", "MSFT"],
      intervals: null,
      json: null,
      tradingDayBefore: null,
    });
    expect(
      parseRangeArgs(["--from", "2024-01-01", "--to", "2024-02-01", "--interval", "1d,5m", "--json", "r.json"]),
    ).toMatchObject({
      assetClasses: ["equity", "crypto", "bond"],
      intervals: ["1d", "5m"],
      json: "r.json",
    });
  });
  it("reads --trading-day-before: each asset class's own previous trading day", () => {
    const req = parseRangeArgs(["--trading-day-before", "2024-11-25"]); // a Monday
    expect(req).toMatchObject({ from: "2024-11-22", to: "2024-11-24", tradingDayBefore: "2024-11-25" });
    expect(splitRequest(req).map((r) => [r.assetClasses.join(), r.from, r.to])).toEqual([
      ["equity", "2024-11-22", "2024-11-22"],
      ["crypto", "2024-11-24", "2024-11-24"],
      ["bond", "2024-11-22", "2024-11-22"],
    ]);
    const plain = parseRangeArgs(["--date", "2024-01-02"]);
    expect(splitRequest(plain)).toEqual([plain]);
    expect(() => parseRangeArgs(["--trading-day-before", "2024-11-25", "--date", "2024-11-22"])).toThrow(UsageError);
  });

  it("refuses bad input with a usage error", () => {
    for (const args of [
      [],
      ["--date", "2024-13-01"],
      ["--from", "2024-02-01", "--to", "2024-01-01"],
      ["--date", "2024-01-01", "--asset-type", "stocks"],
      ["--date", "2024-01-01", "--interval", "2m"],
      ["--nope"],
    ])
      expect(() => parseRangeArgs(args), args.join(" ")).toThrow(UsageError);
  });
});

describe("analyzeExplain", () => {
  it("reads MongoDB's winning plan", () => {
    const a = analyzeExplain({
      queryPlanner: {
        winningPlan: {
          stage: "LIMIT",
          inputStage: { stage: "FETCH", inputStage: { stage: "IXSCAN", indexName: "symbol_interval_ts" } },
        },
      },
    });
    expect(a).toMatchObject({ server: "mongodb", indexes: ["symbol_interval_ts"], collectionScan: false });
    expect(analyzeExplain({ queryPlanner: { winningPlan: { stage: "COLLSCAN" } } }).collectionScan).toBe(true);
  });
  it("reads FerretDB's SQLite plan", () => {
    const a = analyzeExplain({
      queryPlanner: { Plan: ["id=2 parent=0 notused=0 detail=SCAN bars_daily_4accbe25"] },
      serverInfo: { ferretdbVersion: "1.24.2" },
      filterPushdown: false,
    });
    expect(a).toMatchObject({ server: "ferretdb", indexes: [], collectionScan: true });
  });
});
