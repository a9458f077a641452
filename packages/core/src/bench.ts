// Statistics shared by the benchmarks (`pnpm bench`, `pnpm bench:pipeline`, `pnpm bench:trades`): @quant/core/bench.

/** Nearest-rank percentile (p in 0..100) of ascending samples; NaN for none. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; 0 for none (the JSON reports have no NaN). */
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

/** How many messages a producer at `ratePerSecond` should have sent `elapsedMs` after it started (capped at total). */
export function dueMessages(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs <= 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000));
}
