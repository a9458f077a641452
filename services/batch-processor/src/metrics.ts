// The batch run's metrics, from its summary (plus write durations, fed by the MongoDB driver's command events while
// it runs). The run exits when done, so main pushes them to the Pushgateway (PUSHGATEWAY_URL) at the end.
import type { PipelineMetrics } from "@quant/core";
import type { BatchSummary } from "./batch.ts";
import type { ReconcileReport } from "./reconcile.ts";

export function recordBatchRun(m: PipelineMetrics, s: BatchSummary, seconds: number): void {
  // Every lake bar became a document or was refused; rollup documents and bars of trade candles are computed, not read.
  m.barsRead.inc(s.documents - s.rollups - s.tradeBars + s.rejected);
  m.barsWritten.inc(s.documents - s.unchanged);
  m.jobDuration.set(seconds);
}

/**
 * A reconcile run: differences per reconciled series (0 included, so that the drift alert sees healthy series as
 * well), documents compared, duration. Pushed at the end (job `reconcile`) by reconcile-main.
 */
export function recordReconcileRun(m: PipelineMetrics, r: ReconcileReport, seconds: number): void {
  for (const s of r.perSeries) m.reconcileDifferences.set({ symbol: s.symbol, interval: s.interval }, s.differences);
  m.reconcileCompared.set(r.compared);
  m.jobDuration.set(seconds);
}
