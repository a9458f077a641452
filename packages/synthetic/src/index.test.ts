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
