// Trading calendars and time-zone arithmetic on Intl only (no tz database of our own).
// Dates are "YYYY-MM-DD" strings; instants are epoch milliseconds, UTC.

export const DAY_MS = 86_400_000;
export const NEW_YORK = "America/New_York";

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = dateFormatters.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dateFormatters.set(timeZone, f);
  }
  return f;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone, e.g. an exchange's trading date. */
export function dateInZone(epochMs: number, timeZone: string): string {
  return dateFormatter(timeZone).format(epochMs);
}

/** The offset of a time zone from UTC at an instant, in minutes (New York in winter: -300). */
export function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partsFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(epochMs)) if (part.type !== "literal") p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/** The UTC instant of a wall-clock time on a date in a time zone (e.g. 09:30 New York). */
export function zonedTimeToUtc(date: string, hhmm: string, timeZone: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  const wall = dateToEpochMs(date) + ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
  // Two passes settle the offset across a DST change (the guess may sit on the other side of it).
  let utc = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  utc = wall - zoneOffsetMinutes(utc, timeZone) * 60_000;
  return utc;
}

export function dateToEpochMs(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`expected YYYY-MM-DD, got "${date}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function epochMsToDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return epochMsToDate(dateToEpochMs(date) + days * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(dateToEpochMs(date)).getUTCDay();
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = dateToEpochMs(from), end = dateToEpochMs(to); t <= end; t += DAY_MS) out.push(epochMsToDate(t));
  return out;
}

function ymd(y: number, month: number, d: number): string {
  return epochMsToDate(Date.UTC(y, month - 1, d));
}

/** The n-th (1-based) given weekday of a month; n = -1 is the last one. */
function nthWeekday(y: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = new Date(Date.UTC(y, month - 1, 1)).getUTCDay();
    return ymd(y, month, 1 + ((dow - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(y, month, 0));
  const back = (lastDay.getUTCDay() - dow + 7) % 7;
  return ymd(y, month, lastDay.getUTCDate() - back);
}

/** Western Easter Sunday (anonymous Gregorian algorithm). */
function easter(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(y, month, day);
}

/** A fixed-date holiday moved to Friday/Monday when it falls on a weekend (NYSE Rule 7.2). */
function observed(date: string): string | null {
  const dow = weekday(date);
  if (dow === 6) {
    // NYSE does not close on Friday Dec 31 for a Saturday New Year's Day.
    return date.endsWith("-01-01") ? null : addDays(date, -1);
  }
  if (dow === 0) return addDays(date, 1);
  return date;
}

/** Unscheduled full-day closures (national days of mourning, hurricane Sandy) since 2000. */
const NYSE_SPECIAL_CLOSURES = new Set([
  "2001-09-11",
  "2001-09-12",
  "2001-09-13",
  "2001-09-14",
  "2004-06-11",
  "2007-01-02",
  "2012-10-29",
  "2012-10-30",
  "2018-12-05",
  "2025-01-09",
]);

const holidayCache = new Map<number, Map<string, string>>();

/** NYSE full-day holidays of a year, date -> name (rules in force since 1998; Juneteenth from 2022). */
export function nyseHolidays(year: number): Map<string, string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const h = new Map<string, string>();
  const add = (date: string | null, name: string) => {
    if (date?.startsWith(String(year))) h.set(date, name);
  };
  add(observed(ymd(year, 1, 1)), "New Year's Day");
  add(nthWeekday(year, 1, 1, 3), "Martin Luther King Jr. Day");
  add(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  add(addDays(easter(year), -2), "Good Friday");
  add(nthWeekday(year, 5, 1, -1), "Memorial Day");
  if (year >= 2022) add(observed(ymd(year, 6, 19)), "Juneteenth");
  add(observed(ymd(year, 7, 4)), "Independence Day");
  add(nthWeekday(year, 9, 1, 1), "Labor Day");
  add(nthWeekday(year, 11, 4, 4), "Thanksgiving Day");
  add(observed(ymd(year, 12, 25)), "Christmas Day");
  for (const d of NYSE_SPECIAL_CLOSURES) if (d.startsWith(String(year))) h.set(d, "special closure");
  holidayCache.set(year, h);
  return h;
}

export function isNyseHoliday(date: string): boolean {
  return nyseHolidays(Number(date.slice(0, 4))).has(date);
}

export function isNyseTradingDay(date: string): boolean {
  const dow = weekday(date);
  return dow !== 0 && dow !== 6 && !isNyseHoliday(date);
}

/** Days with a 13:00 close: July 3 before a weekday Independence Day, the day after Thanksgiving, Christmas Eve. */
export function isNyseEarlyClose(date: string): boolean {
  if (!isNyseTradingDay(date)) return false;
  const year = Number(date.slice(0, 4));
  if (date === addDays(nthWeekday(year, 11, 4, 4), 1)) return true;
  if (date === ymd(year, 12, 24)) return true;
  const july4 = ymd(year, 7, 4);
  return date === ymd(year, 7, 3) && weekday(july4) >= 2 && weekday(july4) <= 5;
}

export interface Session {
  date: string;
  /** Regular-session open and close, epoch ms UTC. */
  open: number;
  close: number;
}

/** The regular NYSE session of a date (09:30–16:00 New York, 13:00 on early-close days), or null if closed. */
export function nyseSession(date: string): Session | null {
  if (!isNyseTradingDay(date)) return null;
  return {
    date,
    open: zonedTimeToUtc(date, "09:30", NEW_YORK),
    close: zonedTimeToUtc(date, isNyseEarlyClose(date) ? "13:00" : "16:00", NEW_YORK),
  };
}

/** The NYSE trading days from `from` to `to`, both included. */
export function nyseTradingDays(from: string, to: string): string[] {
  return datesBetween(from, to).filter(isNyseTradingDay);
}
