// The calendar side of the gap check: is a bar where its series' calendar expects one, and how many expected bars
// lie strictly between two bars, per trading date. Crypto: every interval of the UTC day; equities and Treasury
// yields: the NYSE's regular sessions (early closes, holidays) for intraday bars, its trading days for daily bars
// (@quant/core's sessions.ts). Intraday arithmetic is per session, so a gap of months costs one step per date.
import {
  type AssetClass,
  addDays,
  type BarCalendar,
  barCalendarOf,
  barSpanOfDate,
  DAY_MS,
  epochMsToDate,
  INTERVAL_MS,
  type Interval,
  isBarDate,
} from "@quant/core";

/** Expected bars missing on one trading date. */
export interface MissingOnDate {
  date: string;
  count: number;
}

/** A bar's place on the calendar: its open time and trading date. */
export interface SlotPoint {
  ts: number;
  tradingDate: string;
}

export class SlotCalendar {
  readonly calendar: BarCalendar;
  readonly interval: Interval;
  private readonly step: number;
  private readonly daily: boolean;

  constructor(assetClass: AssetClass, interval: Interval) {
    this.calendar = barCalendarOf(assetClass);
    this.interval = interval;
    this.step = INTERVAL_MS[interval];
    this.daily = interval === "1d";
  }

  /**
   * True when the calendar expects a bar at this point: daily bars on a trading date of the calendar (their time of
   * day is the source's convention); intraday bars on the interval's grid, inside the date's session (24/7: the UTC
   * day, aligned to the UTC epoch).
   */
  onCalendar(p: SlotPoint): boolean {
    if (this.daily) return isBarDate(this.calendar, p.tradingDate);
    if (this.calendar === "24/7") return p.ts % this.step === 0;
    const span = barSpanOfDate(this.calendar, p.tradingDate);
    return span !== null && p.ts >= span.start && p.ts < span.end && (p.ts - span.start) % this.step === 0;
  }

  /**
   * Whether two consecutive bars straddle a break in trading (a new session of an intraday series that does not
   * trade around the clock): their close-to-close return spans the night, so the return test uses the bar's open.
   */
  isBreak(prev: SlotPoint, cur: SlotPoint): boolean {
    return !this.daily && this.calendar !== "24/7" && prev.tradingDate !== cur.tradingDate;
  }

  /**
   * Expected bars strictly between two bars of a series (prev before cur), counted per trading date in date order;
   * dates without a missing bar are left out. `bothOnCalendar` allows the O(1) answer for adjacent bars.
   */
  missingBetween(prev: SlotPoint, cur: SlotPoint, bothOnCalendar: boolean): MissingOnDate[] {
    if (this.daily) return this.missingDates(prev.tradingDate, cur.tradingDate);
    if (bothOnCalendar && cur.ts - prev.ts === this.step) return [];
    return this.calendar === "24/7" ? this.missingAroundTheClock(prev.ts, cur.ts) : this.missingInSessions(prev, cur);
  }

  /** Daily series: the calendar's dates strictly between, one bar each. */
  private missingDates(from: string, to: string): MissingOnDate[] {
    const out: MissingOnDate[] = [];
    for (let d = addDays(from, 1); d < to; d = addDays(d, 1))
      if (isBarDate(this.calendar, d)) out.push({ date: d, count: 1 });
    return out;
  }

  /** 24/7 intraday: grid times in (prevTs, ts), split by UTC date (the intervals divide a day). */
  private missingAroundTheClock(prevTs: number, ts: number): MissingOnDate[] {
    const s = this.step;
    const first = (Math.floor(prevTs / s) + 1) * s;
    const last = (Math.ceil(ts / s) - 1) * s;
    const out: MissingOnDate[] = [];
    for (let day = Math.floor(first / DAY_MS) * DAY_MS; day <= last; day += DAY_MS) {
      const lo = Math.max(first, day);
      const hi = Math.min(last, day + DAY_MS - s);
      if (hi >= lo) out.push({ date: epochMsToDate(day), count: (hi - lo) / s + 1 });
    }
    return out;
  }

  /** Session intraday: per trading date from prev's to cur's, the session's grid times in (prev.ts, cur.ts). */
  private missingInSessions(prev: SlotPoint, cur: SlotPoint): MissingOnDate[] {
    const s = this.step;
    const out: MissingOnDate[] = [];
    for (let d = prev.tradingDate; d <= cur.tradingDate; d = addDays(d, 1)) {
      const span = barSpanOfDate(this.calendar, d);
      if (!span) continue;
      const lo = Math.max(span.start, prev.ts + 1);
      const hi = Math.min(span.end - 1, cur.ts - 1);
      if (hi < lo) continue;
      const k0 = Math.ceil((lo - span.start) / s);
      const k1 = Math.floor((hi - span.start) / s);
      if (k1 >= k0) out.push({ date: d, count: k1 - k0 + 1 });
    }
    return out;
  }
}
