import { barsCollection, crossAssetCollection, readCrossAssetSeries, upsertBars } from "@quant/core";
import { connectTestDb, type TestDb } from "@quant/core/testing";
import { enrichSeries } from "@quant/enrich";
import { SyntheticMarket } from "@quant/synthetic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCrossAsset } from "./cross-asset.ts";

describe("cross-asset job", () => {
  let mongo: TestDb;
  const market = new SyntheticMarket({ seed: 3 });
  const series = {
    tnx: market.bars("^TNX", "bond", "1d", "2023-01-01", "2023-12-31"),
    irx: market.bars("^IRX", "bond", "1d", "2023-01-01", "2023-12-31"),
    btc: market.bars("BTC-USD", "crypto", "1d", "2023-01-01", "2023-12-31"),
    gspc: market.bars("^GSPC", "equity", "1d", "2023-01-01", "2023-12-31"),
    aapl: market.bars("AAPL", "equity", "1d", "2023-01-01", "2023-12-31"),
  };
  beforeAll(async () => {
    mongo = await connectTestDb("cross");
    for (const bars of Object.values(series))
      await upsertBars(barsCollection(mongo.db, "1d"), enrichSeries(bars, new Date()).docs, { insertFirst: true });
  });
  afterAll(async () => mongo?.dropAndClose());

  it("writes yield-curve slope, correlation and beta series; a re-run rewrites the same documents", async () => {
    const req = { from: "2023-06-01", to: "2023-12-31", benchmark: "^GSPC", correlationPeriod: 30, betaPeriod: 20 };
    const first = await runCrossAsset(mongo, req);
    expect(first.series).toEqual(["slope:^TNX-^IRX|1d", "correlation:BTC-USD/^GSPC|1d", "beta:AAPL/^GSPC|1d"]);
    const coll = crossAssetCollection(mongo.db);
    const tnx = series.tnx.find((b) => b.tradingDate === "2023-06-01")!;
    const irx = series.irx.find((b) => b.tradingDate === "2023-06-01")!;
    const slope = await coll.findOne({ series: "slope:^TNX-^IRX|1d", ts: new Date("2023-06-01T00:00:00Z") });
    expect(slope?.value).toBeCloseTo(tnx.close - irx.close, 12);
    const beta = await coll.find({ series: "beta:AAPL/^GSPC|1d" }).toArray();
    expect(beta.length).toBeGreaterThan(100);
    expect(beta.every((d) => typeof d.value === "number" && Number.isFinite(d.value))).toBe(true);
    const corr = await coll.find({ series: "correlation:BTC-USD/^GSPC|1d" }).toArray();
    expect(corr.every((d) => d.value === null || Math.abs(d.value) <= 1 + 1e-12)).toBe(true);
    // Labelled synthetic (its inputs are generated), with the extent of each series in cross_asset_series.
    expect(slope?.source).toBe("synthetic");
    const markers = await readCrossAssetSeries(mongo.db);
    expect(markers.map((m) => [m._id, m.source])).toEqual([
      ["beta:AAPL/^GSPC|1d", "synthetic"],
      ["correlation:BTC-USD/^GSPC|1d", "synthetic"],
      ["slope:^TNX-^IRX|1d", "synthetic"],
    ]);
    const slopeMarker = markers.find((m) => m._id.startsWith("slope"))!;
    const slopeDocs = await coll.find({ series: "slope:^TNX-^IRX|1d" }).sort({ ts: 1 }).toArray();
    expect([slopeMarker.from, slopeMarker.to]).toEqual([slopeDocs[0]!.ts, slopeDocs.at(-1)!.ts]);
    const second = await runCrossAsset(mongo, req);
    expect(second.documents).toBe(first.documents);
    expect(await coll.countDocuments()).toBe(first.documents);
  });
});
