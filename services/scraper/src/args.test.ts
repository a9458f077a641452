import { UsageError } from "@quant/core";
import { describe, expect, it } from "vitest";
import { parseScrapeArgs } from "./args.ts";
import { planRequests } from "./chunking.ts";

const NOW = Date.parse("2026-11-21T12:00:00Z");

describe("CLI arguments", () => {
  it("parses the Airflow call", () => {
    expect(
      parseScrapeArgs(
        ["crypto", "--source", "replay", "--from", "2024-10-01", "--to", "2024-10-02", "--symbols", "btc-usd,ETH-USD"],
        NOW,
      ),
    ).toEqual({
      job: "crypto",
      assetClass: "crypto",
      symbols: ["BTC-USD", "ETH-USD"],
      intervals: ["1m", "5m"],
      from: "2024-10-01",
      to: "2024-10-02",
      source: "replay",
    });
    expect(parseScrapeArgs(["equities-eod"], NOW)).toMatchObject({
      source: "yahoo",
      from: "2026-11-14",
      to: "2026-11-21",
    });
  });

  it.each([
    [["nope"], "<job>"],
    [["bonds", "--interval", "2h"], "--interval"],
    [["bonds", "--from", "2020-13-01"], "--from"],
    [["bonds", "--source", "bloomberg"], "--source"],
    [["bonds", "--bogus"], "--bogus"],
    [["bonds", "--from", "2020-02-01", "--to", "2020-01-01"], "--from"],
  ])("rejects %j naming %s", (argv, flag) => {
    expect(() => parseScrapeArgs(argv, NOW)).toThrow(UsageError);
    try {
      parseScrapeArgs(argv, NOW);
    } catch (err) {
      expect((err as UsageError).flag).toBe(flag);
    }
  });
});

describe("request planning within Yahoo's limits", () => {
  it("splits 1m into 7-day requests and clamps to 30 days back for live Yahoo", () => {
    const plan = planRequests("1m", "2026-10-01", "2026-11-21", NOW, true);
    expect(plan.from).toBe("2026-10-23");
    expect(plan.windows).toHaveLength(5);
    expect(plan.notes.join("\n")).toMatch(/at most 30 days back.*\n.*at most 7 days per request/);
  });

  it("keeps history for replay (no lookback limit) and one request for daily bars", () => {
    expect(planRequests("1m", "2024-10-02", "2024-10-02", NOW, false).windows).toEqual([
      { startMs: Date.parse("2024-10-02T00:00:00Z"), endMs: Date.parse("2024-10-03T00:00:00Z") },
    ]);
    expect(planRequests("1d", "2000-01-01", "2026-11-21", NOW, true).windows).toHaveLength(1);
    expect(planRequests("5m", "2026-01-01", "2026-01-31", NOW, true).windows).toEqual([]);
  });
});
