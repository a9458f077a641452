// Test data for the API's integration tests: synthetic bars through the processors' own enrichment and upsertBars,
// into a database of the test's own, written as the writers write (bar documents, then latest_bars). Equities are
// labelled replay here (standing in for recorded data), the yields and BTC-USD synthetic, so the dashboard has both.
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
  recordCrossAssetSeries,
  recordLatestBars,
  replaceById,
  rollupCollection,
  upsertBars,
} from "@quant/core";
import { testConfig, testLogger, uniqueName } from "@quant/core/testing";
import { enrichSeries } from "@quant/enrich";
import { toQualityDayDocument } from "@quant/quality";
import { SyntheticMarket } from "@quant/synthetic";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll } from "vitest";
import { buildApp } from "./app.ts";
import { ServingCache } from "./serving-cache.ts";

export const market = new SyntheticMarket({ seed: 7 });

/**
 * Enriched documents of one synthetic series (count bars from `from`), labelled replay for equities, without the
 * bars of `drop` (a gap); and the series' quality rows.
 */
export function enrichedSeries(
  symbol: string,
  assetClass: AssetClass,
  interval: Interval,
  count: number,
  from = "2024-01-02",
  drop: (index: number) => boolean = () => false,
): { docs: BarDocument[]; rows: QualityDayDocument[] } {
  const bars = market.series({ symbols: [symbol], assetClass, interval, count, from }).get(symbol)!;
  const source = assetClass === "equity" ? ("replay" as const) : ("synthetic" as const);
  const enriched = enrichSeries(
    bars.filter((_, i) => !drop(i)).map((b) => ({ ...b, source })),
    new Date(),
  );
  const rows = (enriched.quality?.days ?? []).map((d) =>
    toQualityDayDocument({ symbol, assetClass, interval }, d, new Date()),
  );
  return { docs: enriched.docs, rows };
}

/** Enriched documents of one synthetic series (count bars from `from`), labelled replay for equities. */
export function seriesDocs(
  symbol: string,
  assetClass: AssetClass,
  interval: Interval,
  count: number,
  from = "2024-01-02",
): BarDocument[] {
  return enrichedSeries(symbol, assetClass, interval, count, from).docs;
}

/** Writes bar documents the way the processors do: the documents, then the series' latest bars. */
export async function writeBars(db: MongoHandle["db"], docs: readonly BarDocument[]): Promise<void> {
  const scraped = docs.filter((d) => d.source !== "rollup");
  const rollups = docs.filter((d) => d.source === "rollup");
  for (const interval of new Set(scraped.map((d) => d.interval)))
    await upsertBars(
      barsCollection(db, interval),
      scraped.filter((d) => d.interval === interval),
      { insertFirst: true },
    );
  if (rollups.length > 0) await upsertBars(rollupCollection(db), rollups, { insertFirst: true });
  await recordLatestBars(db, docs);
}

export interface TestApi {
  mongo: MongoHandle;
  app: FastifyInstance;
  cache: ServingCache;
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
    await writeBars(mongo.db, d);
    await replaceById(qualityCollection(mongo.db), rows);
    docs.set(`${symbol}|${interval}`, d);
  }
  // Rollups the stream processor would build (bars_rollup, source `rollup`): 1h bars of BTC-USD.
  const rollups = seriesDocs("BTC-USD", "crypto", "1h", 48).map((d) => ({ ...d, source: "rollup" as const }));
  await writeBars(mongo.db, rollups);
  docs.set("BTC-USD|1h|rollup", rollups);
  const irx = new Map(docs.get("^IRX|1d")!.map((d) => [d.ts.getTime(), d.close]));
  const series = crossAssetSeries("slope", "^TNX", "^IRX", "1d");
  const slope = docs
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
      source: "synthetic" as const,
      processedTs: new Date(),
    }));
  await crossAssetCollection(mongo.db).insertMany(slope);
  await recordCrossAssetSeries(mongo.db, [
    {
      _id: series,
      kind: "slope",
      interval: "1d",
      a: "^TNX",
      b: "^IRX",
      from: slope[0]!.ts,
      to: slope.at(-1)!.ts,
      source: "synthetic",
      processedTs: new Date(),
    },
  ]);
  const cache = new ServingCache(mongo.db, { pollMs: opts.pollMs ?? 200, maxBars: 5_000, logger: testLogger });
  const app = await buildApp({
    db: mongo.db,
    mongoHealth: () => mongo.health(),
    kafkaStats: null,
    cache,
    metrics: createMetricsRegistry({ service: "api-test", processMetrics: false }),
    logger: testLogger,
    maxBars: 5_000,
    heartbeatMs: 1_000,
  });
  return {
    mongo,
    app,
    cache,
    docs,
    async close() {
      cache.stop();
      await app.close();
      await mongo.db.dropDatabase().catch(() => {});
      await mongo.close();
    },
  };
}

/**
 * The test API of one test file: started before its tests, closed after them. `api()` is it within a test;
 * `get(url)` sends a GET through it (the body parsed when it is JSON).
 */
export function useTestApi() {
  let started: TestApi | undefined;
  beforeAll(async () => {
    started = await startTestApi();
  });
  afterAll(async () => {
    await started?.close();
  });
  const api = (): TestApi => {
    if (!started) throw new Error("the test API has not started");
    return started;
  };
  return {
    api,
    async get(url: string) {
      const r = await api().app.inject({ method: "GET", url });
      return { status: r.statusCode, body: r.headers["content-type"]?.includes("json") ? r.json() : r.body };
    },
  };
}
