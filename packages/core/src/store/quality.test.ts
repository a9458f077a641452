import { describe, expect, it } from "vitest";
import { emptyDayCounts, type QualityDayCounts, qualityScore } from "../domain/quality.ts";
import { type QualityDayDocument, qualityDayDifferences, qualityDayId, summarizeQualityRows } from "./quality.ts";

function row(symbol: string, tradingDate: string, counts: Partial<QualityDayCounts>): QualityDayDocument {
  const c = { ...emptyDayCounts(), ...counts, flags: { ...emptyDayCounts().flags, ...counts.flags } };
  return {
    _id: qualityDayId(symbol, "5m", tradingDate),
    symbol,
    assetClass: "equity",
    interval: "5m",
    tradingDate,
    ...c,
    score: qualityScore(c),
    lastTs: new Date(`${tradingDate}T19:55:00Z`),
    processedTs: new Date(),
  };
}

describe("quality rows", () => {
  it("score: the share of expected bars present and unflagged; off-calendar bars count as unexpected and bad", () => {
    expect(qualityScore(emptyDayCounts())).toBe(1);
    expect(qualityScore({ ...emptyDayCounts(), expected: 78, missing: 40 })).toBe(0.4872);
    const off = emptyDayCounts();
    off.expected = 78;
    off.flagged = 1;
    off.flags.off_calendar = 1;
    expect(qualityScore(off)).toBe(0.9873); // 1 - 1/79
  });

  it("sums a series' days, scores the sums, names its worst day, and lists the worst series first", () => {
    const rows = [
      row("MSFT", "2024-10-02", { expected: 78, bars: 78 }),
      row("AAPL", "2024-10-03", { expected: 78, bars: 38, missing: 40, gaps: 1, flags: { gap: 1 } as never }),
      row("AAPL", "2024-10-02", { expected: 78, bars: 78, flagged: 2, staleRuns: 1, flags: { stale: 2 } as never }),
    ];
    const [aapl, msft] = summarizeQualityRows(rows);
    expect(aapl).toMatchObject({
      symbol: "AAPL",
      days: 2,
      from: "2024-10-02",
      to: "2024-10-03",
      expected: 156,
      bars: 116,
      missing: 40,
      gaps: 1,
      flagged: 2,
      staleRuns: 1,
      score: 0.7308, // 1 - 42/156
      worstDay: { tradingDate: "2024-10-03", score: 0.4872 },
      lastTs: new Date("2024-10-03T19:55:00Z"),
    });
    expect(aapl!.flags).toMatchObject({ gap: 1, stale: 2, return_outlier: 0 });
    expect(msft).toMatchObject({ symbol: "MSFT", score: 1, days: 1 });
  });

  it("names the fields where two rows differ, provenance time excluded", () => {
    const a = row("AAPL", "2024-10-02", { expected: 78, bars: 78 });
    const b = { ...a, bars: 77, processedTs: new Date(0), flags: { ...a.flags, stale: 1 } };
    expect(qualityDayDifferences(a, b).map((d) => d.field)).toEqual(["bars", "flags"]);
    expect(qualityDayDifferences(a, { ...a, processedTs: new Date(0) })).toEqual([]);
  });
});
