// Pure helpers of the pipeline benchmark: the paced producer's schedule and latency percentiles.
import { nearestRank } from "@quant/core/bench";

/** How many messages a producer at `ratePerSecond` should have sent `elapsedMs` after it started (capped at total). */
export function dueMessages(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs <= 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000));
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; 0 for none (the JSON report has no NaN). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  return nearestRank(
    [...samples].sort((a, b) => a - b),
    p,
  );
}

export function latencySummary(samples: readonly number[]): { p50: number; p95: number; p99: number; max: number } {
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
}
