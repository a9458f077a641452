import { pushJobMetrics } from "@quant/core";
import { startPushRecorder, testLogger } from "@quant/core/testing";
import { describe, expect, it } from "vitest";
import { scrapeMetrics } from "./metrics.ts";
import type { SymbolOutcome } from "./summary.ts";
import { summarise } from "./summary.ts";

const outcome = (symbol: string, ok: boolean, bars: number, objects: number): SymbolOutcome => ({
  symbol,
  interval: "1d",
  ok,
  bars,
  partialBars: 0,
  nullBars: 0,
  partialNullBars: [],
  invalidBars: 0,
  events: 0,
  objects,
  requests: 1,
  ms: 10,
  ...(ok ? {} : { error: "HTTP 500" }),
});

describe("scraper metrics", () => {
  it("pushes success and failure per symbol, bars, lake objects and the run's duration under the job", async () => {
    const summary = summarise(
      {
        job: "equities-eod",
        assetClass: "equity",
        symbols: ["AAPL", "MSFT"],
        intervals: ["1d"],
        from: "2024-01-02",
        to: "2024-01-31",
        source: "synthetic",
      },
      [outcome("AAPL", true, 21, 2), outcome("MSFT", false, 0, 0)],
      1_500,
    );
    const gateway = await startPushRecorder();
    try {
      await pushJobMetrics(gateway.url, "scraper", scrapeMetrics(summary).registry, testLogger, summary.job);
    } finally {
      await gateway.close();
    }
    expect(gateway.pushes.map((p) => `${p.method} ${p.path}`)).toEqual([
      "PUT /metrics/job/scraper/instance/equities-eod",
    ]);
    const lines = gateway.pushes[0]!.body.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        'quant_scrapes_total{symbol="AAPL",outcome="success",service="scraper"} 1',
        'quant_scrapes_total{symbol="MSFT",outcome="failure",service="scraper"} 1',
        'quant_bars_produced_total{interval="1d",service="scraper"} 21',
        'quant_lake_objects_written_total{interval="1d",service="scraper"} 2',
        'quant_job_duration_seconds{service="scraper"} 1.5',
      ]),
    );
    expect(lines.filter((l) => l.startsWith("quant_scrapes_total{"))).toHaveLength(2);
    // A pushed job carries no process metrics (they would describe a process that has exited).
    expect(lines.some((l) => l.startsWith("quant_process_"))).toBe(false);
  });
});
