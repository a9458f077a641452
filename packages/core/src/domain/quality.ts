// The vocabulary of the data-quality checks (@quant/quality computes them; docs/quality.md explains each): the flags
// a bar document carries and the per-day counts of the `quality` collection.

/** Flags, in the order they are listed on a bar (a fixed order, so that two computations compare equal). */
export const QUALITY_FLAGS = [
  /** Expected bars (per the calendar) are missing right before this one: `missingBefore` says how many. */
  "gap",
  /** The close moved far outside the series' recent returns (robust z-score). */
  "return_outlier",
  /** The bar's high-low range is far above the series' recent ranges. */
  "range_outlier",
  /** This bar id arrived again, final both times, with different content (`conflicts` versions). */
  "conflict",
  /** The close has not changed for N bars in a row (this bar is the N-th or later). */
  "stale",
  /** No volume in session (asset classes that trade volume). */
  "zero_volume",
  /** A partial (still forming) bar whose final version never came: a later bar followed it. */
  "incomplete",
  /** A bar at a time the calendar has no bar (a holiday, outside the session, not on the interval's grid). */
  "off_calendar",
] as const;

export type QualityFlag = (typeof QUALITY_FLAGS)[number];

/** What the checks found on one bar; stored as the bar document's `quality`. */
export interface BarQuality {
  /** In QUALITY_FLAGS order; empty for a clean bar. */
  flags: QualityFlag[];
  /** Expected bars missing between the previous bar of the series and this one. */
  missingBefore: number;
  /** Versions of this bar id that arrived with content different from an earlier final version. */
  conflicts: number;
}

export type QualityFlagCounts = Record<QualityFlag, number>;

/** The quality of one series on one trading date: counts over its bars and the calendar's expected bars. */
export interface QualityDayCounts {
  /** Bars the calendar expects that day, from the series' first bar on: bars on the calendar plus missing ones. */
  expected: number;
  /** Bars present (documents), off-calendar ones included. */
  bars: number;
  /** Expected bars absent. */
  missing: number;
  /** Holes: runs of consecutive missing bars (a hole across midnight counts on both dates). */
  gaps: number;
  /** Bars carrying a flag other than `gap` (the missing bars themselves are counted in `missing`). */
  flagged: number;
  /** Runs of unchanged closes that reached the stale length that day. */
  staleRuns: number;
  /** Bars of the day carrying each flag. */
  flags: QualityFlagCounts;
}

export function emptyFlagCounts(): QualityFlagCounts {
  return Object.fromEntries(QUALITY_FLAGS.map((f) => [f, 0])) as QualityFlagCounts;
}

export function emptyDayCounts(): QualityDayCounts {
  return { expected: 0, bars: 0, missing: 0, gaps: 0, flagged: 0, staleRuns: 0, flags: emptyFlagCounts() };
}

/**
 * The day's (or a range's) score in [0, 1]: the share of expected bars present and unflagged. Missing bars and
 * flagged bars count against it; off-calendar bars add to the denominator (they were not expected) and, flagged,
 * to the bad ones. 1 = every expected bar present and clean. Rounded to 4 decimals.
 */
export function qualityScore(c: Pick<QualityDayCounts, "expected" | "missing" | "flagged" | "flags">): number {
  const total = c.expected + c.flags.off_calendar;
  if (total === 0) return 1;
  const score = Math.max(0, 1 - (c.missing + c.flagged) / total);
  return Math.round(score * 10_000) / 10_000;
}

/** Adds b's counts into a (for a range of days). */
export function addDayCounts(a: QualityDayCounts, b: QualityDayCounts): QualityDayCounts {
  a.expected += b.expected;
  a.bars += b.bars;
  a.missing += b.missing;
  a.gaps += b.gaps;
  a.flagged += b.flagged;
  a.staleRuns += b.staleRuns;
  for (const f of QUALITY_FLAGS) a.flags[f] += b.flags[f];
  return a;
}
