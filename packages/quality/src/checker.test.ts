import type { AssetClass, BarQuality, Interval } from "@quant/core";
import { SyntheticMarket } from "@quant/synthetic";
import { describe, expect, it } from "vitest";
import { CLEAN_QUALITY, QualityChecker, type QualityInput, qualityInput } from "./checker.ts";
import { checkSeries } from "./series.ts";

const market = new SyntheticMarket({ seed: 11, gapRate: 0, outlierRate: 0 });

function series(symbol: string, assetClass: AssetClass, interval: Interval, from: string, to: string) {
  return {
    ref: { symbol, assetClass, interval },
    bars: market.bars(symbol, assetClass, interval, from, to).map(qualityInput),
  };
}

/** Index -> flags, for the bars that have any. */
function flagged(quality: readonly BarQuality[]): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  quality.forEach((q, i) => {
    if (q.flags.length > 0) out[i] = q.flags;
  });
  return out;
}

/** A fat-fingered close `factor` off, the high or low stretched to keep the bar valid. */
function fatFinger(b: QualityInput, factor: number): QualityInput {
  const close = b.close * factor;
  return { ...b, close, high: Math.max(b.high, close), low: Math.min(b.low, close) };
}

/** The stream form, its state through JSON between every two bars (a checkpoint after each). */
function streamed(ref: { symbol: string; assetClass: AssetClass; interval: Interval }, bars: readonly QualityInput[]) {
  let checker = new QualityChecker(ref);
  const quality: BarQuality[] = [];
  const days = [];
  for (const b of bars) {
    quality.push(checker.update(b));
    if (checker.amendedPrevious) quality[quality.length - 2] = checker.amendedPrevious;
    days.push(...checker.drainClosedDays());
    checker = QualityChecker.fromJSON(ref, JSON.parse(JSON.stringify(checker.toJSON())));
  }
  days.push(checker.openDay()!);
  return { quality, days };
}

describe("QualityChecker on clean series", () => {
  it.each([
    ["BTC-USD", "crypto", "1m", "2024-03-01", "2024-03-03"],
    ["AAPL", "equity", "5m", "2024-11-25", "2024-12-06"], // Thanksgiving and its early close
    ["MSFT", "equity", "1d", "2022-01-01", "2023-12-31"],
    ["^TNX", "bond", "1d", "2022-01-01", "2023-12-31"],
  ] as const)(
    "flags nothing on %s %s: every expected bar present, score 1",
    (symbol, assetClass, interval, from, to) => {
      const { ref, bars } = series(symbol, assetClass, interval, from, to);
      const r = checkSeries(ref, bars);
      expect(flagged(r.quality)).toEqual({});
      expect(r.quality.every((q) => q === CLEAN_QUALITY)).toBe(true);
      expect(r.days.reduce((n, d) => n + d.counts.bars, 0)).toBe(bars.length);
      for (const d of r.days) {
        expect(d.counts.missing).toBe(0);
        expect(d.counts.expected).toBe(d.counts.bars);
      }
    },
  );
});

describe("QualityChecker finds exactly what was injected", () => {
  const { ref, bars: clean } = series("AAPL", "equity", "5m", "2024-10-01", "2024-10-04");
  // 2024-10-02 is the second session: bars 78..155.
  const dayTwo = 78;
  const bars = clean.map((b) => ({ ...b }));
  bars[dayTwo + 50] = fatFinger(bars[dayTwo + 50]!, 1.3);
  bars[dayTwo + 60]!.volume = 0;
  // A stale stretch: seven bars whose price does not move.
  const frozen = bars[dayTwo + 65]!.close;
  for (let i = dayTwo + 66; i <= dayTwo + 71; i++)
    bars[i] = { ...bars[i]!, open: frozen, high: frozen, low: frozen, close: frozen };
  // Forty bars missing on the first morning (bars 1..40 of day 3: 09:35 to 12:50).
  const dayThree = 156;
  const withGap = [...bars.slice(0, dayThree + 1), ...bars.slice(dayThree + 41)];

  it("flags the gap, the outlier, the stale run and the zero volume, and nothing else", () => {
    const r = checkSeries(ref, withGap);
    expect(flagged(r.quality)).toEqual({
      [dayTwo + 50]: ["return_outlier", "range_outlier"],
      [dayTwo + 60]: ["zero_volume"],
      // the run starts at bar 65 (its close); its 5th bar is 69
      [dayTwo + 69]: ["stale"],
      [dayTwo + 70]: ["stale"],
      [dayTwo + 71]: ["stale"],
      [dayThree + 1]: ["gap"],
    });
    expect(r.quality[dayThree + 1]!.missingBefore).toBe(40);
    // The bar after the fat finger is back at the level before it: not an outlier of its own.
    expect(r.quality[dayTwo + 51]).toBe(CLEAN_QUALITY);
    const rows = Object.fromEntries(r.days.map((d) => [d.tradingDate, d.counts]));
    expect(rows["2024-10-02"]).toMatchObject({ expected: 78, bars: 78, missing: 0, flagged: 5, staleRuns: 1 });
    expect(rows["2024-10-02"]!.flags).toMatchObject({ return_outlier: 1, range_outlier: 1, stale: 3, zero_volume: 1 });
    expect(rows["2024-10-03"]).toMatchObject({ expected: 78, bars: 38, missing: 40, gaps: 1, flagged: 0 });
    expect(rows["2024-10-03"]!.flags.gap).toBe(1);
  });

  it("the stream form, checkpointed after every bar, equals the batch form", () => {
    const batch = checkSeries(ref, withGap);
    const stream = streamed(ref, withGap);
    expect(stream.quality).toEqual(batch.quality);
    expect(stream.days).toEqual(batch.days);
  });

  it("a lasting move is flagged once, the new level accepted", () => {
    const shifted = clean.map((b, i) =>
      i >= dayTwo + 20 ? fatFinger({ ...b, high: b.high * 1.4, low: b.low * 1.4, open: b.open * 1.4 }, 1.4) : b,
    );
    expect(flagged(checkSeries(ref, shifted).quality)).toEqual({ [dayTwo + 20]: ["return_outlier"] });
  });

  it("an off-calendar bar (after the close) is flagged and not expected", () => {
    const extra = { ...clean[77]!, ts: clean[77]!.ts + 10 * 60_000 }; // 16:05 New York
    const r = checkSeries(ref, [...clean.slice(0, 78), extra, ...clean.slice(78)]);
    expect(flagged(r.quality)).toEqual({ 78: ["off_calendar"] });
    expect(r.days[0]!.counts).toMatchObject({ bars: 79, expected: 78, flagged: 1 });
  });
});

describe("QualityChecker across versions of a bar", () => {
  const { ref, bars } = series("BTC-USD", "crypto", "1m", "2024-03-01", "2024-03-01");

  it("a final bar after its partial one is no conflict; two different finals are", () => {
    const c = new QualityChecker(ref);
    for (const b of bars.slice(0, 30)) c.update(b);
    const next = bars[30]!;
    expect(c.update({ ...next, partial: true, close: next.open, volume: 3 })).toBe(CLEAN_QUALITY);
    expect(c.replace(next)).toBe(CLEAN_QUALITY);
    expect(c.replace({ ...next, volume: next.volume + 1 })).toEqual({
      flags: ["conflict"],
      missingBefore: 0,
      conflicts: 1,
    });
    expect(c.replace({ ...next, volume: next.volume + 2 }).conflicts).toBe(2);
    expect(c.openDay()!.counts.flags.conflict).toBe(1);
  });

  it("replacing the last bar gives what the batch gives for the final series", () => {
    const c = new QualityChecker(ref);
    const quality: BarQuality[] = [];
    for (const b of bars.slice(0, 300)) {
      // Each bar first arrives partial (still forming, a made-up close), then final.
      c.update({ ...b, partial: true, close: (b.high + b.low) / 2, volume: 0 });
      quality.push(c.replace(b));
    }
    const batch = checkSeries(ref, bars.slice(0, 300));
    expect(quality).toEqual(batch.quality);
    expect(c.openDay()).toEqual(batch.days.at(-1));
  });

  it("a partial bar overtaken by a later one is incomplete; the checker says so once", () => {
    const c = new QualityChecker(ref);
    for (const b of bars.slice(0, 10)) c.update(b);
    c.update({ ...bars[10]!, partial: true });
    expect(c.amendedPrevious).toBeNull();
    expect(c.update(bars[11]!)).toBe(CLEAN_QUALITY);
    expect(c.amendedPrevious).toEqual({ flags: ["incomplete"], missingBefore: 0, conflicts: 0 });
    c.update(bars[12]!);
    expect(c.amendedPrevious).toBeNull();
    expect(c.openDay()!.counts).toMatchObject({ bars: 13, flagged: 1 });
    expect(c.openDay()!.counts.flags.incomplete).toBe(1);
    // The batch form over the same bars amends the same one.
    const r = checkSeries(ref, [...bars.slice(0, 10), { ...bars[10]!, partial: true }, bars[11]!, bars[12]!]);
    expect(flagged(r.quality)).toEqual({ 10: ["incomplete"] });
  });

  it("keeps conflicts recorded earlier (the lake holds only the last version)", () => {
    const r = checkSeries(ref, bars.slice(0, 5), (i) => (i === 2 ? 1 : 0));
    expect(flagged(r.quality)).toEqual({ 2: ["conflict"] });
    expect(r.quality[2]!.conflicts).toBe(1);
  });

  it("refuses bars out of order", () => {
    const c = new QualityChecker(ref);
    c.update(bars[5]!);
    expect(() => c.update(bars[4]!)).toThrow(/not after/);
    expect(() => c.replace(bars[6]!)).toThrow(/not the last bar/);
  });
});

describe("QualityChecker per asset class", () => {
  it("a split seen in raw closes is no outlier when the adjusted closes say so", () => {
    const { ref, bars } = series("NVDA", "equity", "1d", "2021-01-01", "2021-12-31");
    const split = 140;
    const raw = bars.map((b, i) => {
      if (i < split) return { ...b, open: b.open * 4, high: b.high * 4, low: b.low * 4, close: b.close * 4 };
      return b;
    });
    expect(flagged(checkSeries(ref, raw).quality)).toEqual({});
    // Without adjusted closes the same drop is a 75 % move.
    expect(
      flagged(
        checkSeries(
          ref,
          raw.map((b) => ({ ...b, adjClose: null })),
        ).quality,
      ),
    ).toEqual({
      [split]: ["return_outlier"],
    });
  });

  it("yields: no volume check, moves measured in percentage points (zero and negative yields allowed)", () => {
    const { ref, bars } = series("^IRX", "bond", "1d", "2021-01-01", "2021-06-30");
    const low = bars.map((b) => ({
      ...b,
      open: b.open - 6,
      high: b.high - 6,
      low: b.low - 6,
      close: b.close - 6,
      adjClose: b.close - 6,
    }));
    expect(flagged(checkSeries(ref, low).quality)).toEqual({});
    const spiked = low.map((b, i) =>
      i === 80 ? { ...b, close: b.close + 3, adjClose: b.close + 3, high: b.high + 3 } : b,
    );
    expect(flagged(checkSeries(ref, spiked).quality)).toEqual({ 80: ["return_outlier", "range_outlier"] });
  });

  it("crypto counts a missing night per UTC date and keeps daily rows for a day with no bar", () => {
    const { ref, bars } = series("ETH-USD", "crypto", "5m", "2024-03-01", "2024-03-04");
    const kept = bars.filter(
      (b) =>
        b.tradingDate !== "2024-03-02" &&
        !(b.tradingDate === "2024-03-01" && b.ts >= Date.parse("2024-03-01T23:00:00Z")),
    );
    const r = checkSeries(ref, kept);
    expect(r.days.map((d) => [d.tradingDate, d.counts.bars, d.counts.missing, d.lastTs === null])).toEqual([
      ["2024-03-01", 276, 12, false],
      ["2024-03-02", 0, 288, true],
      ["2024-03-03", 288, 0, false],
      ["2024-03-04", 288, 0, false],
    ]);
    expect(flagged(r.quality)).toEqual({ 276: ["gap"] });
    expect(r.quality[276]!.missingBefore).toBe(300);
  });
});
