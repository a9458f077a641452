// The batch run's metrics, from its summary (plus write durations, fed by the MongoDB driver's command events while
// it runs). The run exits when done, so main pushes them to the Pushgateway (PUSHGATEWAY_URL) at the end.
import type { PipelineMetrics } from "@quant/core";
import type { BatchSummary } from "./batch.ts";

export function recordBatchRun(m: PipelineMetrics, s: BatchSummary, seconds: number): void {
  // Every lake bar became a document or was refused; rollup documents and bars of trade candles are computed, not read.
  m.barsRead.inc(s.documents - s.rollups - s.tradeBars + s.rejected);
  m.barsWritten.inc(s.documents - s.unchanged);
  m.jobDuration.set(seconds);
}
