// Statistics shared by the benchmarks (`pnpm bench`, `pnpm bench:pipeline`): @quant/core/bench.

/** Nearest-rank percentile (p in 0..100) of ascending samples; NaN for none. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
