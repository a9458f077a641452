// Splits a date range into chart requests within Yahoo's intraday limits.
import { addDays, DAY_MS, dateToEpochMs, epochMsToDate, type Interval } from "@quant/core";

export interface ChartWindow {
  /** period1/period2 of the chart request, epoch ms; bars are kept when period1 <= ts < period2. */
  startMs: number;
  endMs: number;
}

/** Yahoo's limits: days per request and days back from now (Infinity = none). */
export const YAHOO_LIMITS: Record<"1m" | "5m" | "1d", { maxDaysPerRequest: number; maxDaysBack: number }> = {
  "1m": { maxDaysPerRequest: 7, maxDaysBack: 30 },
  "5m": { maxDaysPerRequest: 60, maxDaysBack: 60 },
  "1d": { maxDaysPerRequest: Number.POSITIVE_INFINITY, maxDaysBack: Number.POSITIVE_INFINITY },
};

export interface RequestPlan {
  windows: ChartWindow[];
  /** Human notes for the log: chunking and clamping applied. */
  notes: string[];
  /** The range after clamping, or null when nothing of it is reachable. */
  from: string | null;
  to: string;
}

/**
 * Plans the chart requests for trading dates [from, to] (both included, as UTC days).
 * `enforceLookback` applies Yahoo's "days back from now" limit, which only the live source has:
 * recorded and synthetic data are historical by design.
 */
export function planRequests(
  interval: Interval,
  from: string,
  to: string,
  now: number,
  enforceLookback: boolean,
): RequestPlan {
  const limits = YAHOO_LIMITS[interval as keyof typeof YAHOO_LIMITS] ?? YAHOO_LIMITS["1d"];
  const notes: string[] = [];
  let start = from;
  if (enforceLookback && Number.isFinite(limits.maxDaysBack)) {
    // Yahoo counts back from now; the first whole day inside the limit is the earliest we ask for.
    const earliest = addDays(epochMsToDate(now), -(limits.maxDaysBack - 1));
    if (start < earliest) {
      notes.push(
        `${interval}: Yahoo serves at most ${limits.maxDaysBack} days back; from ${start} clamped to ${earliest}`,
      );
      start = earliest;
    }
    if (start > to) return { windows: [], notes, from: null, to };
  }
  const endMs = dateToEpochMs(to) + DAY_MS;
  const windows: ChartWindow[] = [];
  const step = Number.isFinite(limits.maxDaysPerRequest) ? limits.maxDaysPerRequest * DAY_MS : endMs;
  for (let s = dateToEpochMs(start); s < endMs; s += step)
    windows.push({ startMs: s, endMs: Math.min(s + step, endMs) });
  if (windows.length > 1)
    notes.push(
      `${interval}: Yahoo serves at most ${limits.maxDaysPerRequest} days per request; ${start}..${to} split into ${windows.length} requests`,
    );
  return { windows, notes, from: start, to };
}
