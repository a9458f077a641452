import { describe, expect, it } from "vitest";
import { SlotCalendar } from "./slots.ts";

const at = (iso: string, tradingDate = iso.slice(0, 10)) => ({ ts: Date.parse(iso), tradingDate });

describe("SlotCalendar", () => {
  it("crypto: every minute of the UTC day; a hole across midnight is split by date", () => {
    const c = new SlotCalendar("crypto", "1m");
    expect(c.onCalendar(at("2024-10-05T13:07:00Z"))).toBe(true);
    expect(c.onCalendar(at("2024-10-05T13:07:30Z"))).toBe(false);
    expect(c.missingBetween(at("2024-10-05T13:07:00Z"), at("2024-10-05T13:08:00Z"), true)).toEqual([]);
    expect(c.missingBetween(at("2024-10-05T23:57:00Z"), at("2024-10-06T00:03:00Z"), true)).toEqual([
      { date: "2024-10-05", count: 2 },
      { date: "2024-10-06", count: 3 },
    ]);
    // A whole day missing between two bars.
    expect(c.missingBetween(at("2024-10-05T23:59:00Z"), at("2024-10-07T00:00:00Z"), true)).toEqual([
      { date: "2024-10-06", count: 1440 },
    ]);
    expect(c.isBreak(at("2024-10-05T23:59:00Z"), at("2024-10-06T00:00:00Z"))).toBe(false);
  });

  it("equity intraday: the NYSE session only, early closes, holidays and weekends have no bars", () => {
    const c = new SlotCalendar("equity", "5m");
    expect(c.onCalendar(at("2024-10-02T13:30:00Z"))).toBe(true);
    expect(c.onCalendar(at("2024-10-02T19:55:00Z"))).toBe(true);
    expect(c.onCalendar(at("2024-10-02T20:00:00Z"))).toBe(false); // the close
    expect(c.onCalendar(at("2024-10-02T13:32:00Z"))).toBe(false); // off the grid
    expect(c.onCalendar(at("2024-11-28T15:00:00Z"))).toBe(false); // Thanksgiving
    // Last bar of Wednesday 2024-11-27 at 15:55 New York -> Friday's early close (13:00): the Friday session has
    // 42 bars; a series resuming on Monday at 09:30 misses all of them, and none of Thanksgiving.
    expect(c.missingBetween(at("2024-11-27T20:55:00Z"), at("2024-12-02T14:30:00Z"), true)).toEqual([
      { date: "2024-11-29", count: 42 },
    ]);
    // Forty bars missing in the morning.
    expect(c.missingBetween(at("2024-10-02T13:30:00Z"), at("2024-10-02T16:55:00Z"), true)).toEqual([
      { date: "2024-10-02", count: 40 },
    ]);
    // Overnight: the last bar of a day to the first of the next is adjacent but a break for returns.
    const close = at("2024-10-02T19:55:00Z");
    const open = at("2024-10-03T13:30:00Z");
    expect(c.missingBetween(close, open, true)).toEqual([]);
    expect(c.isBreak(close, open)).toBe(true);
  });

  it("daily: the trading dates in between, whatever the bars' time of day", () => {
    const eq = new SlotCalendar("equity", "1d");
    expect(eq.onCalendar(at("2024-07-04T13:30:00Z"))).toBe(false);
    expect(eq.onCalendar(at("2024-07-05T13:30:00Z"))).toBe(true);
    // Tuesday 2024-07-02 -> Monday 2024-07-08: Wed 3 and Fri 5 are missing, Thu 4 is Independence Day.
    expect(eq.missingBetween(at("2024-07-02T13:30:00Z"), at("2024-07-08T13:30:00Z"), true)).toEqual([
      { date: "2024-07-03", count: 1 },
      { date: "2024-07-05", count: 1 },
    ]);
    expect(eq.missingBetween(at("2024-07-03T13:30:00Z"), at("2024-07-05T13:30:00Z"), true)).toEqual([]);
    const btc = new SlotCalendar("crypto", "1d");
    expect(btc.missingBetween(at("2024-07-03T00:00:00Z"), at("2024-07-06T00:00:00Z"), true)).toHaveLength(2);
    expect(new SlotCalendar("bond", "1d").onCalendar(at("2024-12-25T14:30:00Z"))).toBe(false);
  });
});
