// The scraper's metrics, from the run summary. The scraper runs once per DAG task and exits, so Prometheus cannot
// pull from it: main pushes these to the Pushgateway (PUSHGATEWAY_URL) at the end of the run.
import { createMetricsRegistry, type PipelineMetrics } from "@quant/core";
import type { RunSummary } from "./summary.ts";

export function scrapeMetrics(summary: RunSummary): PipelineMetrics {
  const m = createMetricsRegistry({ service: "scraper", processMetrics: false });
  for (const o of summary.outcomes) {
    m.scrapes.inc({ symbol: o.symbol, outcome: o.ok ? "success" : "failure" });
    m.barsProduced.inc({ interval: o.interval }, o.bars);
    m.lakeObjectsWritten.inc({ interval: o.interval }, o.objects);
  }
  m.jobDuration.set(summary.ms / 1_000);
  return m;
}
