import { describe, expect, it } from "vitest";
import {
  addDays,
  dateInZone,
  isNyseEarlyClose,
  isNyseTradingDay,
  nyseHolidays,
  nyseSession,
  nyseTradingDays,
  zonedTimeToUtc,
} from "./calendar.ts";

const iso = (ms: number) => new Date(ms).toISOString();

describe("calendar", () => {
  it("derives the exchange date of an instant in its time zone", () => {
    // 03:00Z is still the previous evening in New York, already morning in Berlin.
    expect(dateInZone(Date.parse("2023-08-08T03:00:00Z"), "America/New_York")).toBe("2023-08-07");
    expect(dateInZone(Date.parse("2023-08-07T23:30:00Z"), "Europe/Berlin")).toBe("2023-08-08");
  });

  it("opens NYSE at 09:30 New York on both sides of a DST change", () => {
    expect(iso(nyseSession("2020-10-30")!.open)).toBe("2020-10-30T13:30:00.000Z"); // EDT
    expect(iso(nyseSession("2020-11-02")!.open)).toBe("2020-11-02T14:30:00.000Z"); // EST
    expect(iso(nyseSession("2020-11-02")!.close)).toBe("2020-11-02T21:00:00.000Z");
    expect(iso(nyseSession("2024-03-11")!.open)).toBe("2024-03-11T13:30:00.000Z"); // first Monday of EDT
    expect(iso(zonedTimeToUtc("2024-03-08", "09:30", "America/New_York"))).toBe("2024-03-08T14:30:00.000Z");
  });

  it("knows the NYSE holidays, observed days and early closes", () => {
    expect([...nyseHolidays(2020).keys()].sort()).toEqual([
      "2020-01-01",
      "2020-01-20",
      "2020-02-17",
      "2020-04-10",
      "2020-05-25",
      "2020-07-03",
      "2020-09-07",
      "2020-11-26",
      "2020-12-25",
    ]);
    expect(isNyseTradingDay("2022-06-20")).toBe(false); // Juneteenth observed on Monday
    expect(isNyseTradingDay("2021-12-31")).toBe(true); // no Friday closure for a Saturday New Year
    expect(isNyseTradingDay("2025-01-09")).toBe(false); // day of mourning
    expect(isNyseEarlyClose("2020-11-27")).toBe(true);
    expect(iso(nyseSession("2020-11-27")!.close)).toBe("2020-11-27T18:00:00.000Z");
    expect(nyseSession("2020-01-04")).toBeNull();
  });

  it("counts the trading days of the recorded MSFT year (252)", () => {
    expect(nyseTradingDays("2021-02-01", "2022-01-28")).toHaveLength(252);
    expect(addDays("2020-02-28", 2)).toBe("2020-03-01");
  });
});
