import { isNyseTradingDay, parseBar } from "@quant/core";
import { describe, expect, it } from "vitest";
import { interleave, SyntheticMarket } from "./index.ts";

describe("SyntheticMarket", () => {
  it("is deterministic by seed and independent of the requested window", () => {
    const a = new SyntheticMarket({ seed: 7 }).bars("AAPL", "equity", "1d", "2020-01-01", "2020-03-31");
    const b = new SyntheticMarket({ seed: 7 }).bars("AAPL", "equity", "1d", "2020-03-01", "2020-03-31");
    const c = new SyntheticMarket({ seed: 8 }).bars("AAPL", "equity", "1d", "2020-03-01", "2020-03-31");
    expect(a.filter((x) => x.tradingDate >= "2020-03-01")).toEqual(b);
    expect(c[0]?.close).not.toBe(b[0]?.close);
  });

  it("produces valid bar v1 messages on NYSE trading days only, at the DST-correct open", () => {
    const bars = new SyntheticMarket({ seed: 1, outlierRate: 0.05 }).bars(
      "MSFT",
      "equity",
      "1d",
      "2020-10-01",
      "2020-12-31",
    );
    for (const b of bars) {
      expect(parseBar(b)).toEqual(b);
      expect(isNyseTradingDay(b.tradingDate)).toBe(true);
    }
    expect(bars.find((b) => b.tradingDate === "2020-10-30")?.ts).toBe("2020-10-30T13:30:00Z");
    expect(bars.find((b) => b.tradingDate === "2020-11-02")?.ts).toBe("2020-11-02T14:30:00Z");
    expect(bars.some((b) => b.tradingDate === "2020-11-26")).toBe(false); // Thanksgiving
  });

  it("leaves gaps and keeps yields of bonds without volume", () => {
    const m = new SyntheticMarket({ seed: 3, gapRate: 0.1 });
    const bars = m.bars("ETH-USD", "crypto", "1m", "2024-10-01", "2024-10-01");
    expect(bars.length).toBeGreaterThan(1200);
    expect(bars.length).toBeLessThan(1440);
    const tnx = m.bars("^TNX", "bond", "1d", "2024-01-01", "2024-01-31");
    expect(tnx.every((b) => b.volume === 0 && b.close > 0 && b.close < 20)).toBe(true);
  });

  it("pins generated levels to real closes: through every anchor, bridged between, continued after the last", () => {
    const anchors = {
      BTC: [
        { date: "2012-01-31", close: 5.55 },
        { date: "2012-02-29", close: 4.99 },
      ],
    };
    const m = new SyntheticMarket({ seed: 9, gapRate: 0, outlierRate: 0, anchors });
    const bars = m.bars("BTC", "crypto", "1d", "2012-01-31", "2012-04-30");
    const close = (d: string) => bars.find((b) => b.tradingDate === d)?.close;
    expect(close("2012-01-31")).toBeCloseTo(5.55, 4);
    expect(close("2012-02-29")).toBeCloseTo(4.99, 4);
    // Between the anchors the path moves, at the anchors' order of magnitude (the free path starts anywhere in
    // 0.2..40,000); after the last one it goes on from 4.99.
    const between = bars.filter((b) => b.tradingDate > "2012-01-31" && b.tradingDate < "2012-02-29");
    expect(between.every((b) => b.close > 2 && b.close < 12)).toBe(true);
    expect(new Set(between.map((b) => b.close)).size).toBeGreaterThan(20);
    expect(close("2012-03-01")! / 4.99).toBeGreaterThan(0.7);
    expect(close("2012-03-01")! / 4.99).toBeLessThan(1.4);
    expect(m.anchoredSpan("BTC")).toEqual({ from: "2012-01-31", to: "2012-02-29" });
    // Intraday bars of an anchored date close at the anchor too (they bridge the previous close to it).
    expect(m.bars("BTC", "crypto", "1m", "2012-02-29", "2012-02-29").at(-1)?.close).toBeCloseTo(4.99, 4);
  });

  it("keeps the four Treasury yields in the usual upward-sloping order at plausible levels", () => {
    const m = new SyntheticMarket({ seed: 42, gapRate: 0, outlierRate: 0 });
    const bars = ["^IRX", "^FVX", "^TNX", "^TYX"].map((s) => m.bars(s, "bond", "1d", "2011-01-01", "2013-12-31"));
    expect(bars[0]!.length).toBe(754); // NYSE sessions 2011-2013
    const broken = bars[0]!.filter((_, i) => {
      const [irx, fvx, tnx, tyx] = bars.map((b) => b[i]!.close) as [number, number, number, number];
      return !(irx > 0 && irx < fvx && fvx < tnx && tnx < tyx);
    });
    expect(broken).toEqual([]);
    // Every day of 25 years from the model itself: ordered, positive, below 15 %.
    let bad = 0;
    for (let day = Date.UTC(2000, 0, 1) / 86_400_000; day < Date.UTC(2025, 0, 1) / 86_400_000; day++) {
      const c = m.yieldCurve(day);
      if (!(c[0.25]! > 0 && c[0.25]! < c[5]! && c[5]! < c[10]! && c[10]! < c[30]! && c[30]! < 15)) bad++;
    }
    expect(bad).toBe(0);
  });

  it("serves benchmarks: N bars for S symbols, interleaved in time order", () => {
    const m = new SyntheticMarket({ seed: 5 });
    const symbols = Array.from({ length: 20 }, (_, i) => `SYM${i}`);
    const t0 = performance.now();
    const series = m.series({ symbols, assetClass: "crypto", interval: "1m", count: 5_000 });
    const ms = performance.now() - t0;
    expect([...series.values()].every((s) => s.length === 5_000)).toBe(true);
    const stream = [...interleave(series)];
    expect(stream).toHaveLength(100_000);
    expect(stream.every((b, i) => i === 0 || b.ts >= (stream[i - 1]?.ts ?? ""))).toBe(true);
    expect(ms).toBeLessThan(5_000);
  });
});
