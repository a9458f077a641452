// Which bars a series should have: the bar-open times of a trading date for an asset class and interval. Crypto
// trades 24/7 (bars on the UTC day, aligned to the UTC epoch); equities and Treasury yield indices follow the NYSE
// calendar (regular session 09:30-16:00 New York, 13:00 on early-close days; daily bars at the session open, as
// Yahoo's are). The synthetic generator builds bars on these times and the quality checks count gaps against them.
import { addDays, DAY_MS, dateToEpochMs, isNyseTradingDay, nyseSession, type Session } from "./calendar.ts";
import { type AssetClass, INTERVAL_MS, type Interval } from "./domain/market.ts";

/** The calendar an asset class's bars follow: every day (crypto) or the NYSE's trading days. */
export type BarCalendar = "24/7" | "nyse";

export function barCalendarOf(assetClass: AssetClass): BarCalendar {
  return assetClass === "crypto" ? "24/7" : "nyse";
}

const sessionCache = new Map<string, Session | null>();

/** nyseSession, memoised (its time-zone arithmetic goes through Intl, ~µs per call; the dates are few). */
export function cachedNyseSession(date: string): Session | null {
  let s = sessionCache.get(date);
  if (s === undefined) {
    s = nyseSession(date);
    sessionCache.set(date, s);
  }
  return s;
}

/** True when the calendar has bars on this date (every date for 24/7). */
export function isBarDate(calendar: BarCalendar, date: string): boolean {
  return calendar === "24/7" || isNyseTradingDay(date);
}

/** The last date before `date` on which the calendar has bars (crypto: the day before; NYSE: Friday for a Monday). */
export function previousBarDate(calendar: BarCalendar, date: string): string {
  let d = addDays(date, -1);
  while (!isBarDate(calendar, d)) d = addDays(d, -1);
  return d;
}

/**
 * The time span of a date's bars, epoch ms [start, end): the UTC day for 24/7, the regular session otherwise; null
 * when the calendar has no bars that date.
 */
export function barSpanOfDate(calendar: BarCalendar, date: string): { start: number; end: number } | null {
  if (calendar === "24/7") {
    const start = dateToEpochMs(date);
    return { start, end: start + DAY_MS };
  }
  const s = cachedNyseSession(date);
  return s ? { start: s.open, end: s.close } : null;
}

/** The bar-open times (epoch ms) of one trading date, for an asset class and interval. */
export function barTimesOfDate(assetClass: AssetClass, interval: Interval, date: string): number[] {
  const span = barSpanOfDate(barCalendarOf(assetClass), date);
  if (!span) return [];
  if (interval === "1d") return [span.start];
  const out: number[] = [];
  for (let t = span.start; t < span.end; t += INTERVAL_MS[interval]) out.push(t);
  return out;
}
