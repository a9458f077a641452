import { createMetricsRegistry } from "@quant/core";
import { describe, expect, it } from "vitest";
import { recordBatchRun } from "./metrics.ts";

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
});
