import { type Bar, type BarDocument, barDocumentDifferences, indicatorBar, toBarDocument } from "@quant/core";
import { BarIndicators } from "@quant/indicators";
import { SyntheticMarket } from "@quant/synthetic";
import { describe, expect, it } from "vitest";
import { rollupHistory, rollupSourceInterval, rollupTargets, SeriesRollups, windowOf } from "./rollup.ts";
import { indicatorOptionsFor } from "./series.ts";
import { plainRollupBars } from "./testing.ts";

const market = new SyntheticMarket({ seed: 3 });

function enriched(bars: readonly Bar[]): BarDocument[] {
  const first = bars[0]!;
  const set = new BarIndicators(indicatorOptionsFor(first.assetClass, first.interval));
  return bars.map((b) => toBarDocument(b, set.update(indicatorBar(b)), set.warm, new Date(0)));
}

/** Same ids, and every compared field and warm flag equal (barDocumentDifferences), asserted once per series. */
function expectSame(actual: readonly BarDocument[], expected: readonly BarDocument[]): void {
  expect(actual.map((d) => d._id)).toEqual(expected.map((d) => d._id));
  const differences = expected.flatMap((e, i) =>
    barDocumentDifferences(actual[i]!, e).map(
      (d) => `${e._id} ${d.field}: ${String(d.stored)} vs ${String(d.computed)}`,
    ),
  );
  expect(differences.slice(0, 10)).toEqual([]);
  expect(actual.every((d) => d.source === "rollup")).toBe(true);
}

describe("rollups", () => {
  it("are built from the finest scraped interval of an asset class", () => {
    expect(rollupSourceInterval("crypto")).toBe("1m");
    expect(rollupSourceInterval("equity")).toBe("5m");
    expect(rollupSourceInterval("bond")).toBeNull();
    expect(rollupTargets("crypto", "1m")).toEqual(["5m", "1h", "1d"]);
    expect(rollupTargets("crypto", "5m")).toEqual([]);
    expect(rollupTargets("equity", "5m")).toEqual(["1h", "1d"]);
    expect(rollupTargets("equity", "1d")).toEqual([]);
  });

  it("windows: 5m/1h on the UTC epoch, 1d by UTC day (crypto) or trading date", () => {
    const ts = Date.parse("2024-03-05T13:47:00Z");
    expect(windowOf("5m", { assetClass: "crypto", tradingDate: "2024-03-05", ts }).start).toBe(
      Date.parse("2024-03-05T13:45:00Z"),
    );
    expect(windowOf("1h", { assetClass: "equity", tradingDate: "2024-03-05", ts })).toEqual({
      start: Date.parse("2024-03-05T13:00:00Z"),
      end: Date.parse("2024-03-05T14:00:00Z"),
      tradingDate: "2024-03-05",
    });
    expect(
      windowOf("1d", { assetClass: "equity", tradingDate: "2024-03-04", ts: Date.parse("2024-03-05T01:00:00Z") }),
    ).toEqual({
      start: Date.parse("2024-03-04T00:00:00Z"),
      end: Date.parse("2024-03-05T12:00:00Z"),
      tradingDate: "2024-03-04",
    });
  });

  for (const [symbol, assetClass, interval, from, to] of [
    ["BTC-USD", "crypto", "1m", "2024-01-01", "2024-01-03"],
    ["AAPL", "equity", "5m", "2024-01-02", "2024-01-12"],
  ] as const) {
    // Thousands of bars through cold code: about 1 s on an idle machine, several under load (no timing is tested).
    it(`${symbol} ${interval}: equal the plain re-computation, through partial bars and a checkpoint round trip`, {
      timeout: 30_000,
    }, () => {
      const bars = market.bars(symbol, assetClass, interval, from, to);
      let r = SeriesRollups.create(symbol, assetClass, interval)!;
      const docs: BarDocument[] = [];
      bars.forEach((b, i) => {
        if (i % 7 === 3) {
          // A partial bar first, then its final version (replace semantics).
          r.add({ ...b, close: b.low, high: b.high * 1.01, volume: 1, partial: true });
          r.replaceLast(b);
        } else r.add(b);
        docs.push(...r.advance(Date.parse(b.ts), new Date(0)));
        if (i === Math.floor(bars.length / 2)) r = SeriesRollups.fromJSON(symbol, assetClass, interval, r.toJSON());
      });
      for (const target of r.intervals) {
        const expected = enriched(plainRollupBars(bars, target));
        expect(expected.length).toBeGreaterThan(0);
        expectSame(
          docs.filter((d) => d.interval === target),
          expected,
        );
      }
      // The batch form gives the same documents and the same open windows.
      const h = rollupHistory(bars, new Date(0));
      expectSame(h.docs, docs);
      expect(h.rollups!.toJSON()).toEqual(r.toJSON());
    });
  }

  it("keeps a window open for the allowed lateness (2 source intervals) after its end", () => {
    const bars = market.bars("ETH-USD", "crypto", "1m", "2024-01-01", "2024-01-01").slice(0, 12);
    const r = SeriesRollups.create("ETH-USD", "crypto", "1m")!;
    const closedAt: string[] = [];
    for (const b of bars) {
      r.add(b);
      if (r.advance(Date.parse(b.ts), new Date(0)).length > 0) closedAt.push(b.ts);
    }
    // [00:00, 00:05) closes when the 00:07 bar arrives (00:07 - 2m = 00:05).
    expect(closedAt).toEqual(["2024-01-01T00:07:00Z"]);
  });
});
