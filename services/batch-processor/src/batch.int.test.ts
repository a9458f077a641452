// The same bars through Kafka -> stream processor and through the lake -> batch: identical documents, reconcile
// reports zero differences (and finds a difference when there is one); a second batch run changes nothing. The
// stream processor runs as it is deployed, as a child process of its own program: no service imports another.
import {
  type Bar,
  barsCollection,
  connectMongo,
  type MongoHandle,
  type ObjectStore,
  qualityCollection,
  rollupCollection,
} from "@quant/core";
import {
  countBars,
  createPipelineTestEnv,
  createTestBucket,
  type PipelineTestEnv,
  produceBars,
  snapshotBars,
  testConfig,
  testLogger,
  uniqueName,
  waitFor,
} from "@quant/core/testing";
import { rollupTargets } from "@quant/enrich";
import { plainRollupBars } from "@quant/enrich/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBatch } from "./batch.ts";
import { addIntradayTtl, analyzeQueries, verifyIndexes } from "./indexes.ts";
import { runReconcile } from "./reconcile.ts";
import { rangeRequest, startStreamProcess, writeLake } from "./test-support.ts";

describe("batch processor and reconcile", () => {
  const cfg = testConfig();
  let env: PipelineTestEnv;
  let store: ObjectStore;
  let batchDb: MongoHandle;
  let bucket: Awaited<ReturnType<typeof createTestBucket>> | undefined;
  const market = new SyntheticMarket({ seed: 5 });
  const bars = [
    ...market.bars("AAPL", "equity", "1d", "2023-01-01", "2023-12-31"),
    ...market.bars("^TNX", "bond", "1d", "2023-01-01", "2023-12-31"),
    ...market.bars("BTC-USD", "crypto", "5m", "2023-12-30", "2023-12-31"),
    // Rollup sources: 1m crypto (-> 5m, 1h, 1d) and 5m equities (-> 1h, 1d), into bars_rollup.
    ...market.bars("ETH-USD", "crypto", "1m", "2023-12-31", "2023-12-31"),
    ...market.bars("MSFT", "equity", "5m", "2023-12-20", "2023-12-29"),
  ];
  const rollupCount = [...Map.groupBy(bars, (b) => `${b.symbol}|${b.interval}`).values()]
    .flatMap((series) =>
      rollupTargets(series[0]!.assetClass, series[0]!.interval).map((t) => plainRollupBars(series, t)),
    )
    .reduce((n, r) => n + r.length, 0);
  // In the lake and on Kafka alike: AAPL's bar of a day with an impossible price (a unit error upstream). The stream
  // dead-letters it (kind price), the batch refuses and counts it, neither writes it; reconcile finds no difference.
  const implausibleAt = bars.findIndex((b) => b.symbol === "AAPL" && b.tradingDate === "2023-06-01");
  const implausible: Bar = { ...bars[implausibleAt]!, high: 2e9 };
  const sent = bars.map((b, i) => (i === implausibleAt ? implausible : b));
  const all = rangeRequest("2023-01-01", "2023-12-31");

  beforeAll(async () => {
    env = await createPipelineTestEnv("batch");
    bucket = await createTestBucket("batch");
    store = bucket.store;
    batchDb = await connectMongo({ uri: cfg.MONGODB_URI, dbName: uniqueName("batch_only") }, testLogger);
  });
  afterAll(async () => {
    await bucket?.remove();
    await batchDb?.db.dropDatabase().catch(() => {});
    await batchDb?.close();
    await env?.close();
  });

  // The stream run, a reconcile and two batch runs over ~3,100 bars and their rollups: 75 s on a quiet machine, over
  // 180 s at load 30 (FerretDB writes slow down first).
  it("stream and batch write the same documents; reconcile finds no difference; a second batch run changes nothing", {
    timeout: 420_000,
  }, async () => {
    await writeLake(store, sent);
    await produceBars(env.producer, env.topic, sent);
    const streamRun = startStreamProcess(env);
    await waitFor("stream wrote every bar", async () => (await countBars(env.mongo)) === bars.length - 1).catch(
      (err) => {
        throw new Error(`${(err as Error).message}\n${streamRun.output().slice(-2_000)}`);
      },
    );
    streamRun.child.kill("SIGTERM");
    expect(await streamRun.exited).toBe(0);

    const report = await runReconcile(all, { store, mongo: env.mongo, logger: testLogger });
    expect(report.series).toBe(5);
    expect(rollupCount).toBeGreaterThan(100);
    // One quality row per series and trading date (the refused bar's date too: a gap of one bar).
    const rows = await qualityCollection(env.mongo.db).countDocuments();
    expect(rows).toBeGreaterThanOrEqual(new Set(bars.map((b) => `${b.symbol}|${b.interval}|${b.tradingDate}`)).size);
    expect(report.compared).toBe(bars.length - 1 + rollupCount + rows);
    expect(report.differences).toEqual([]);
    expect(await barsCollection(env.mongo.db, "1d").findOne({ _id: implausible.id })).toBeNull();

    const first = await runBatch(all, { store, mongo: batchDb, logger: testLogger });
    expect(first).toMatchObject({
      series: 5,
      documents: bars.length - 1 + rollupCount,
      rollups: rollupCount,
      inserted: bars.length - 1 + rollupCount,
      rejected: 1,
      qualityDays: rows,
    });
    expect(await barsCollection(batchDb.db, "1d").findOne({ _id: implausible.id })).toBeNull();
    const afterFirst = await snapshotBars(batchDb);
    const second = await runBatch(all, { store, mongo: batchDb, logger: testLogger });
    expect(second).toMatchObject({ inserted: 0, unchanged: bars.length - 1 + rollupCount, rejected: 1 });
    expect(await snapshotBars(batchDb)).toEqual(afterFirst);
    const batchDocs = await snapshotBars(batchDb, { withoutIngestTs: true });
    const stream = await snapshotBars(env.mongo, { withoutIngestTs: true });
    for (const [id, doc] of batchDocs) expect(stream.get(id), id).toEqual(doc);
    const quality = async (m: MongoHandle) =>
      (await qualityCollection(m.db).find().sort({ _id: 1 }).toArray()).map(({ processedTs: _, ...r }) => r);
    expect(await quality(batchDb)).toEqual(await quality(env.mongo));
  });

  it("reports a changed value and a missing document, field by field, rollups included", async () => {
    const daily = barsCollection(env.mongo.db, "1d");
    const rollup = await rollupCollection(env.mongo.db).findOne({ symbol: "MSFT", interval: "1h" });
    await rollupCollection(env.mongo.db).updateOne({ _id: rollup!._id }, { $inc: { high: 1 } });
    const msft = await runReconcile(
      { ...all, assetClasses: ["equity"], symbols: ["MSFT"] },
      { store, mongo: env.mongo, logger: testLogger },
    );
    expect(msft.differences).toEqual([expect.objectContaining({ id: `rollup:${rollup!._id}`, field: "high" })]);
    const aapl = bars.filter((b) => b.symbol === "AAPL");
    await daily.updateOne({ _id: aapl[100]!.id }, { $inc: { sma20: 0.5 } });
    await daily.deleteOne({ _id: aapl[200]!.id });
    const report = await runReconcile(
      { ...all, assetClasses: ["equity"], symbols: ["AAPL"] },
      { store, mongo: env.mongo, logger: testLogger },
    );
    expect(report.differences).toEqual([
      expect.objectContaining({ id: aapl[100]!.id, field: "sma20" }),
      expect.objectContaining({ id: aapl[200]!.id, field: "document", stream: null }),
    ]);
  });

  it("verifies the indexes, explains the canonical queries, and refuses a TTL on FerretDB", async () => {
    expect(await verifyIndexes(env.mongo)).toEqual({ missing: [], mismatched: [] });
    const analysis = await analyzeQueries(env.mongo);
    expect(analysis.map((a) => a.query)).toEqual([
      "latestBars",
      "lastBars",
      "dateRange",
      "yieldCurveSlope",
      "topMovers",
    ]);
    for (const a of analysis) expect(a.ok, a.query).toBe(true);
    const ttl = await addIntradayTtl(env.mongo, 7);
    if ((await env.mongo.health()).ferretdb)
      expect(ttl).toMatchObject({ ok: false, reason: expect.stringMatching(/FerretDB/) });
    else expect(ttl).toEqual({ ok: true, change: "created" });
  });
});
