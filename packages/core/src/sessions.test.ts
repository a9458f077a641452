import { describe, expect, it } from "vitest";
import { barCalendarOf, barSpanOfDate, barTimesOfDate, isBarDate, previousBarDate } from "./sessions.ts";

const iso = (ms: number) => new Date(ms).toISOString();

describe("bar times of a date", () => {
  it("runs crypto 24/7 on the UTC day and equity intraday within 09:30-16:00 New York", () => {
    expect(barTimesOfDate("crypto", "5m", "2024-10-05")).toHaveLength(288); // a Saturday
    expect(barTimesOfDate("crypto", "1d", "2024-10-05").map(iso)).toEqual(["2024-10-05T00:00:00.000Z"]);
    const eq = barTimesOfDate("equity", "5m", "2024-10-02");
    expect(eq).toHaveLength(78);
    expect(iso(eq[0]!)).toBe("2024-10-02T13:30:00.000Z");
    expect(iso(eq[77]!)).toBe("2024-10-02T19:55:00.000Z");
    expect(barTimesOfDate("equity", "1m", "2024-10-05")).toEqual([]);
  });

  it("follows early closes, holidays and DST; daily bars at the open; bonds on the NYSE calendar", () => {
    expect(barTimesOfDate("equity", "5m", "2024-11-29")).toHaveLength(42); // day after Thanksgiving: 09:30-13:00
    expect(barTimesOfDate("equity", "1d", "2024-11-28")).toEqual([]); // Thanksgiving
    expect(barTimesOfDate("equity", "1d", "2020-11-02").map(iso)).toEqual(["2020-11-02T14:30:00.000Z"]);
    expect(barTimesOfDate("bond", "1d", "2024-07-04")).toEqual([]);
    expect(barCalendarOf("bond")).toBe("nyse");
    expect(isBarDate("24/7", "2024-12-25")).toBe(true);
    expect(isBarDate("nyse", "2024-12-25")).toBe(false);
    expect(barSpanOfDate("nyse", "2024-12-24")).toEqual({
      start: Date.parse("2024-12-24T14:30:00Z"),
      end: Date.parse("2024-12-24T18:00:00Z"),
    });
  });

  it("finds the previous date with bars: a Monday's is Friday on the NYSE, Sunday for crypto", () => {
    expect(previousBarDate("nyse", "2024-11-25")).toBe("2024-11-22");
    expect(previousBarDate("24/7", "2024-11-25")).toBe("2024-11-24");
    expect(previousBarDate("nyse", "2024-11-29")).toBe("2024-11-27"); // over Thanksgiving
  });
});
