// Test data for the API's integration tests: synthetic bars through the processors' own enrichment and upsertBars,
// into a database of the test's own.
import {
  type AssetClass,
  type BarDocument,
  barsCollection,
  connectMongo,
  createMetricsRegistry,
  crossAssetCollection,
  crossAssetSeries,
  ensureIndexes,
  type Interval,
  type MongoHandle,
  type QualityDayDocument,
  qualityCollection,
  replaceById,
  rollupCollection,
  upsertBars,
} from "@quant/core";
import { testConfig, testLogger, uniqueName } from "@quant/core/testing";
import { enrichSeries } from "@quant/enrich";
import { toQualityDayDocument } from "@quant/quality";
import { SyntheticMarket } from "@quant/synthetic";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import { LivePoller } from "./live.ts";

export const market = new SyntheticMarket({ seed: 7 });

/** Enriched documents of one synthetic series (count bars from `from`), without the bars of `drop` (a gap). */
export function enrichedSeries(
  symbol: string,
  assetClass: AssetClass,
  interval: Interval,
  count: number,
  from = "2024-01-02",
  drop: (index: number) => boolean = () => false,
): { docs: BarDocument[]; rows: QualityDayDocument[] } {
  const bars = market.series({ symbols: [symbol], assetClass, interval, count, from }).get(symbol)!;
  const enriched = enrichSeries(
    bars.filter((_, i) => !drop(i)),
    new Date(),
  );
  const rows = (enriched.quality?.days ?? []).map((d) =>
    toQualityDayDocument({ symbol, assetClass, interval }, d, new Date()),
  );
  return { docs: enriched.docs, rows };
}

export function seriesDocs(
  symbol: string,
  assetClass: AssetClass,
  interval: Interval,
  count: number,
  from = "2024-01-02",
): BarDocument[] {
  return enrichedSeries(symbol, assetClass, interval, count, from).docs;
}

export interface TestApi {
  mongo: MongoHandle;
  app: FastifyInstance;
  live: LivePoller;
  docs: Map<string, BarDocument[]>;
  close(): Promise<void>;
}

/**
 * A fresh database with AAPL 1d/5m, BTC-USD 1m, the four yields 1d and a slope series, their quality rows (AAPL 5m
 * with a gap of ten bars); the app on it.
 */
export async function startTestApi(opts: { pollMs?: number; daily?: number } = {}): Promise<TestApi> {
  const cfg = testConfig();
  const mongo = await connectMongo({ uri: cfg.MONGODB_URI, dbName: uniqueName("api") }, testLogger);
  await ensureIndexes(mongo.db);
  const docs = new Map<string, BarDocument[]>();
  const daily = opts.daily ?? 120;
  const plan: [string, AssetClass, Interval, number][] = [
    ["AAPL", "equity", "1d", daily],
    ["MSFT", "equity", "1d", daily],
    ["AAPL", "equity", "5m", 100],
    ["BTC-USD", "crypto", "1m", 100],
    ["^IRX", "bond", "1d", daily],
    ["^FVX", "bond", "1d", daily],
    ["^TNX", "bond", "1d", daily],
    ["^TYX", "bond", "1d", daily],
  ];
  for (const [symbol, assetClass, interval, count] of plan) {
    // AAPL 5m misses ten bars (its 41st to 50th): the worst series of the quality report, a gap marker on the chart.
    const gap = symbol === "AAPL" && interval === "5m" ? (i: number) => i >= 40 && i < 50 : undefined;
    const { docs: d, rows } = enrichedSeries(symbol, assetClass, interval, count, "2024-01-02", gap);
    await upsertBars(barsCollection(mongo.db, interval), d, { insertFirst: true });
    await replaceById(qualityCollection(mongo.db), rows);
    docs.set(`${symbol}|${interval}`, d);
  }
  // Rollups the stream processor would build (bars_rollup, source `rollup`): 1h bars of BTC-USD.
  const rollups = seriesDocs("BTC-USD", "crypto", "1h", 48).map((d) => ({ ...d, source: "rollup" as const }));
  await upsertBars(rollupCollection(mongo.db), rollups, { insertFirst: true });
  docs.set("BTC-USD|1h|rollup", rollups);
  const irx = new Map(docs.get("^IRX|1d")!.map((d) => [d.ts.getTime(), d.close]));
  const series = crossAssetSeries("slope", "^TNX", "^IRX", "1d");
  await crossAssetCollection(mongo.db).insertMany(
    docs
      .get("^TNX|1d")!
      .filter((d) => irx.has(d.ts.getTime()))
      .map((d) => ({
        _id: `${series}|${d.ts.toISOString()}`,
        series,
        kind: "slope" as const,
        interval: "1d" as const,
        a: "^TNX",
        b: "^IRX",
        ts: d.ts,
        value: d.close - irx.get(d.ts.getTime())!,
        processedTs: new Date(),
      })),
  );
  const live = new LivePoller(mongo.db, opts.pollMs ?? 200, testLogger);
  const app = await buildApp({
    db: mongo.db,
    mongoHealth: () => mongo.health(),
    kafkaStats: null,
    live,
    metrics: createMetricsRegistry({ service: "api-test", processMetrics: false }),
    logger: testLogger,
    maxBars: 5_000,
    heartbeatMs: 1_000,
  });
  return {
    mongo,
    app,
    live,
    docs,
    async close() {
      await app.close();
      await mongo.db.dropDatabase().catch(() => {});
      await mongo.close();
    },
  };
}
