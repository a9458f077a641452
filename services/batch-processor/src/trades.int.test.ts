// Trades -> candle aggregator -> MongoDB (candles; 1m bars -> stream processor -> enriched bars and rollups), and
// trades -> archiver -> the trade lake; then the batch recomputes the candles from the lake, and reconcile finds no
// difference between what the stream wrote and the batch's computation: candles of every width, enriched 1m bars,
// rollups (and does find one it is shown). Every service runs as a child process of its own program.
import {
  barsCollection,
  candleStateCollection,
  candlesCollection,
  connectMongo,
  type MongoHandle,
  type ObjectStore,
  rollupCollection,
  type TradeRow,
} from "@quant/core";
import {
  type ChildScript,
  createPipelineTestEnv,
  createTestBucket,
  type PipelineTestEnv,
  testConfig,
  testLogger,
  uniqueName,
  waitFor,
} from "@quant/core/testing";
import { type Emission, TradeGenerator } from "@quant/trades";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBatch } from "./batch.ts";
import { runReconcile } from "./reconcile.ts";
import { rangeRequest, startStreamProcess, startTradeProcesses } from "./test-support.ts";
import { listTradeSeries, readTradeHistory } from "./trades.ts";

describe("trade candles: stream against the batch recomputation from the trade lake", () => {
  const cfg = testConfig();
  let env: PipelineTestEnv;
  let store: ObjectStore;
  let bucket: string;
  let removeBucket: (() => Promise<void>) | undefined;
  let batchDb: MongoHandle;
  const children: ChildScript[] = [];
  const tradesTopic = uniqueName("tl_trades");
  const generator = new TradeGenerator({
    seed: 17,
    symbols: [
      { symbol: "SYN-BTC", assetClass: "crypto" },
      { symbol: "SYN-ETH", assetClass: "crypto" },
      { symbol: "SYN-MSFT", assetClass: "equity" },
    ],
    ratePerSecond: 40,
    start: Date.UTC(2024, 0, 2, 15, 0, 0),
    durationMs: 16 * 60_000,
    chaos: { late: 0.01, outOfOrder: 0.03, duplicate: 0.02, corrupt: 0.005 },
  });
  const emissions: Emission[] = [];
  for (let e = generator.next(); e; e = generator.next()) emissions.push(e);
  const all = rangeRequest("2024-01-02", "2024-01-02");

  beforeAll(async () => {
    env = await createPipelineTestEnv("tlake", 3, [tradesTopic]);
    ({ store, bucket, remove: removeBucket } = await createTestBucket("tradelake"));
    batchDb = await connectMongo({ uri: cfg.MONGODB_URI, dbName: uniqueName("tlake_batch") }, testLogger);
  });
  afterAll(async () => {
    for (const c of children) c.child.kill("SIGKILL");
    await removeBucket?.();
    await batchDb?.db.dropDatabase().catch(() => {});
    await batchDb?.close();
    await env?.close();
  });

  it("reconcile: 0 differences over candles, enriched 1m bars and rollups; the lake holds every trade once", async () => {
    const messages = emissions.map((e) =>
      e.kind === "trade"
        ? { key: e.trade.symbol, value: JSON.stringify({ ...e.trade, ingestTs: e.at }) }
        : { key: e.symbol, value: e.value },
    );
    for (let i = 0; i < messages.length; i += 2_000) await env.producer.send(tradesTopic, messages.slice(i, i + 2_000));
    const { aggregator, archiver } = startTradeProcesses(env, { tradesTopic, bucket });
    const stream = startStreamProcess(env);
    children.push(aggregator, archiver, stream);
    const ends = await env.bus.topicOffsets(tradesTopic);
    const atEnd = async (group: string) => {
      const committed = await env.bus.groupOffsets(group, [tradesTopic]);
      return ends.every((p) => p.high === 0 || committed.find((c) => c.partition === p.partition)?.offset === p.high);
    };
    const output = () => `${aggregator.output().slice(-1_500)}\n${archiver.output().slice(-1_500)}`;
    await waitFor(
      "candles and lake at the end of the trades",
      async () => (await atEnd(`${env.dbName}_candles`)) && (await atEnd(`${env.dbName}_lake`)),
      240_000,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output()}`);
    });
    const minutes = await candlesCollection(env.mongo.db).countDocuments({ width: "1m" });
    expect(minutes).toBeGreaterThan(40);
    await waitFor(
      "the stream processor wrote every 1m bar",
      async () => (await barsCollection(env.mongo.db, "1m").estimatedDocumentCount()) === minutes,
      120_000,
    );
    for (const c of [aggregator, archiver, stream]) {
      c.child.kill("SIGTERM");
      expect(await c.exited, c.output().slice(-1_000)).toBe(0);
    }
    expect(await candleStateCollection(env.mongo.db).countDocuments()).toBeGreaterThan(0);

    // The lake: each delivered trade once (repeats of an id included: the lake is what Kafka held), in order.
    const delivered = emissions.filter((e) => e.kind === "trade");
    const series = await listTradeSeries(store, all);
    expect(series.map((s) => s.symbol)).toEqual(["SYN-BTC", "SYN-ETH", "SYN-MSFT"]);
    const lake: TradeRow[] = [];
    for (const s of series) lake.push(...(await readTradeHistory(store, s)));
    expect(lake.length).toBe(delivered.length);
    for (const s of series) {
      const mine = lake.filter((r) => r.symbol === s.symbol).map((r) => r.id);
      const sent = delivered.flatMap((e) => (e.kind === "trade" && e.trade.symbol === s.symbol ? [e.trade.id] : []));
      expect(mine).toEqual(sent);
    }

    // Stream vs batch: every candle, bar and rollup, field by field.
    const report = await runReconcile(all, { store, mongo: env.mongo, logger: testLogger });
    expect(report.differences).toEqual([]);
    const candles = await candlesCollection(env.mongo.db).countDocuments();
    const rollups = await rollupCollection(env.mongo.db).countDocuments();
    // 16 minutes of two crypto symbols: their first 5m windows closed (equities roll up from 5m bars, not 1m).
    expect(rollups).toBeGreaterThanOrEqual(4);
    expect(report.compared).toBe(candles + minutes + rollups);
    expect(report.series).toBe(3);

    // The batch writes the same candles into a database of its own; reconcile then finds a changed candle.
    const b = await runBatch(all, { store, mongo: batchDb, logger: testLogger });
    expect(b).toMatchObject({ tradeSeries: 3, candles, tradeBars: minutes });
    const one = await candlesCollection(env.mongo.db).findOne({ width: "10s", symbol: "SYN-ETH" });
    await candlesCollection(env.mongo.db).updateOne({ _id: one!._id }, { $inc: { volume: 1 } });
    const changed = await runReconcile(all, { store, mongo: env.mongo, logger: testLogger });
    expect(changed.differences).toEqual([expect.objectContaining({ id: `candle:${one!._id}`, field: "volume" })]);
  });
});
