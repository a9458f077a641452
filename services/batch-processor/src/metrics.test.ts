import { createMetricsRegistry } from "@quant/core";
import { describe, expect, it } from "vitest";
import { recordBatchRun, recordReconcileRun } from "./metrics.ts";

describe("batch metrics", () => {
  it("counts lake bars read (refused ones included, rollups not) and documents written (unchanged ones not)", async () => {
    const m = createMetricsRegistry({ service: "batch-processor", processMetrics: false });
    recordBatchRun(
      m,
      {
        series: 2,
        documents: 150,
        rollups: 30,
        inserted: 110,
        unchanged: 25,
        rejected: 3,
        tradeSeries: 1,
        tradeBars: 20,
        candles: 400,
        qualityDays: 4,
      },
      4.25,
    );
    const lines = (await m.registry.metrics()).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        'quant_bars_read_total{service="batch-processor"} 103',
        'quant_bars_written_total{service="batch-processor"} 125',
        'quant_job_duration_seconds{service="batch-processor"} 4.25',
      ]),
    );
  });

  it("sets reconcile's differences per series, zeros included, and the documents compared", async () => {
    const m = createMetricsRegistry({ service: "reconcile", processMetrics: false });
    recordReconcileRun(
      m,
      {
        series: 2,
        compared: 1_500,
        differences: [],
        perSeries: [
          { symbol: "BTC-USD", interval: "1m", compared: 1_440, differences: 3 },
          { symbol: "AAPL", interval: "1d", compared: 60, differences: 0 },
        ],
      },
      12,
    );
    const lines = (await m.registry.metrics()).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        'quant_reconcile_differences{symbol="BTC-USD",interval="1m",service="reconcile"} 3',
        'quant_reconcile_differences{symbol="AAPL",interval="1d",service="reconcile"} 0',
        'quant_reconcile_documents_compared{service="reconcile"} 1500',
        'quant_job_duration_seconds{service="reconcile"} 12',
      ]),
    );
  });
});
