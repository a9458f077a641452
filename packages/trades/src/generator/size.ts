// Trade sizes from a Pareto law (heavy tail: most trades are small, a few are very large), capped and rounded to
// the lot of the asset class.

export interface SizeLaw {
  /** Smallest size (the Pareto scale). */
  min: number;
  /** Tail index: below 2 the variance is infinite. */
  alpha: number;
  /** No size above this (a venue's maximum order). */
  max: number;
  /** Sizes are multiples of this. */
  lot: number;
}

export const SIZE_LAWS = {
  crypto: { min: 0.001, alpha: 1.5, max: 500, lot: 1e-6 },
  equity: { min: 1, alpha: 1.2, max: 1_000_000, lot: 1 },
} as const satisfies Record<string, SizeLaw>;

export function paretoSize(law: SizeLaw, next: () => number): number {
  const raw = law.min / (1 - next()) ** (1 / law.alpha);
  const lots = Math.max(Math.round(Math.min(raw, law.max) / law.lot), 1);
  // Rounded through the lot's decimals so that 0.001 stays 0.001, not 0.0010000000000000002.
  const decimals = Math.max(0, -Math.floor(Math.log10(law.lot)));
  return Number((lots * law.lot).toFixed(decimals));
}
