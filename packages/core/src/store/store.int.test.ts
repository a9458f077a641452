import { makeBar } from "@quant/core";
import { BarIndicators } from "@quant/indicators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, type TestDb } from "../testing.ts";
import { barOfDocument, indicatorBar, toBarDocument, upsertBars } from "./bars.ts";
import { loadCheckpoints, saveCheckpoints, seriesKey } from "./checkpoints.ts";
import { latestBarKey, readLatestBars, recordLatestBars } from "./latest.ts";
import { barsCollection, COLLECTIONS, ensureIndexes, INDEX_SPECS, setIntradayTtl } from "./layout.ts";
import { analyzeExplain, CANONICAL_QUERIES } from "./queries.ts";

describe("MongoDB layout on the native server", () => {
  let mongo: TestDb;

  beforeAll(async () => {
    mongo = await connectTestDb("store");
  });
  afterAll(async () => mongo?.dropAndClose());

  const bars = Array.from({ length: 30 }, (_, i) =>
    makeBar({
      symbol: "AAPL",
      assetClass: "equity",
      interval: "1d",
      ts: new Date(Date.UTC(2024, 0, 2 + i, 14, 30)).toISOString().replace(".000", ""),
      tradingDate: new Date(Date.UTC(2024, 0, 2 + i)).toISOString().slice(0, 10),
      open: 100 + i,
      high: 102 + i,
      low: 99 + i,
      close: 101 + i,
      volume: 1000,
      currency: "USD",
      exchange: "NMS",
      source: "synthetic",
      ingestTs: "2024-02-01T00:00:00.000Z",
    }),
  );

  it("creates every index idempotently", async () => {
    const first = await ensureIndexes(mongo.db);
    await ensureIndexes(mongo.db);
    expect(first).toHaveLength(INDEX_SPECS.length);
    for (const spec of INDEX_SPECS) {
      const idx = (await mongo.db.collection(spec.collection).indexes()).find((i) => i.name === spec.name);
      expect(idx?.key).toEqual(spec.key);
      if (spec.options.unique) expect(idx?.unique).toBe(true);
    }
  });

  it("upserts bar documents idempotently, ts as a Date, nulls until warm, never NaN", async () => {
    const set = new BarIndicators();
    const now = new Date();
    const docs = bars.map((b) => {
      const v = set.update(indicatorBar(b));
      return toBarDocument(b, v, set.warm, now);
    });
    const coll = barsCollection(mongo.db, "1d");
    expect((await upsertBars(coll, docs)).upserted).toBe(30);
    const again = await upsertBars(coll, docs);
    expect(again.upserted).toBe(0);
    expect(again.matched).toBe(30);
    expect(await coll.countDocuments()).toBe(30);
    const d = await coll.findOne({ _id: bars[25]!.id });
    expect(d?.ts).toBeInstanceOf(Date);
    expect(d?.sma20).toBeCloseTo(docs[25]!.sma20!, 12);
    expect(d?.sma200).toBeNull();
    expect(d?.warm.sma20).toBe(true);
    expect(d?.warm.sma200).toBe(false);
    expect(barOfDocument(d!)).toEqual(bars[25]);
    // The unique key refuses a second document of the same bar under another _id.
    await expect(coll.insertOne({ ...docs[0]!, _id: "other" })).rejects.toThrow(/duplicate key|E11000/i);
  });

  it("rewrites hundreds of existing documents without stalling FerretDB (chunked bulk commands)", async () => {
    const coll = barsCollection(mongo.db, "1m");
    const { v: _v, id: _id, ...fields } = bars[0]!;
    const docs = Array.from({ length: 250 }, (_, i) => {
      const b = makeBar({
        ...fields,
        interval: "1m",
        ts: new Date(Date.UTC(2024, 0, 2, 14, 30 + i)).toISOString().replace(".000", ""),
      });
      return toBarDocument(b, new BarIndicators().values, new BarIndicators().warm, new Date());
    });
    expect((await upsertBars(coll, docs, { insertFirst: true })).upserted).toBe(250);
    // 250 replaceOne upserts matching existing documents: one command would hang FerretDB 1.24 for good.
    expect((await upsertBars(coll, docs)).matched).toBe(250);
    // Insert-first: new documents inserted, existing ones replaced, same final contents.
    const changed = docs.map((d, i) => ({ ...d, close: i }));
    const more = Array.from({ length: 20 }, (_, i) => ({ ...docs[i]!, _id: `X|1m|${i}`, symbol: "X" }));
    expect(await upsertBars(coll, [...changed, ...more], { insertFirst: true })).toEqual({
      upserted: 20,
      matched: 250,
    });
    expect((await coll.findOne({ _id: docs[7]!._id }))?.close).toBe(7);
  });

  it("keeps each series' latest bar: newer or same ts replaces it, an older range never moves it back", async () => {
    const processed = new Date("2024-03-01T00:00:00Z");
    const set = new BarIndicators();
    const docs = bars.map((b) => toBarDocument(b, set.update({ ...b, ts: Date.parse(b.ts) }), set.warm, processed));
    const rollup = { ...docs[3]!, _id: "AAPL|1d|rollup-test", source: "rollup" as const };
    expect(await recordLatestBars(mongo.db, [...docs.slice(0, 20), rollup])).toBe(2);
    const key = latestBarKey("AAPL", "1d", "scraped");
    const read = async () => new Map((await readLatestBars(mongo.db)).map((d) => [d._id, d]));
    expect((await read()).get(key)).toMatchObject({ barId: docs[19]!._id, kind: "scraped", close: docs[19]!.close });
    expect((await read()).get(latestBarKey("AAPL", "1d", "rollup"))).toMatchObject({ kind: "rollup" });
    // A batch over an older range: the newer latest bar stays.
    expect(await recordLatestBars(mongo.db, docs.slice(0, 5))).toBe(0);
    expect((await read()).get(key)?.barId).toBe(docs[19]!._id);
    // The same bar rewritten (a late bar recomputed the series): replaced, with its new processedTs.
    const rewritten = { ...docs[19]!, processedTs: new Date("2024-03-02T00:00:00Z") };
    await recordLatestBars(mongo.db, [rewritten]);
    expect((await read()).get(key)?.processedTs).toEqual(rewritten.processedTs);
    await recordLatestBars(mongo.db, docs.slice(20));
    expect((await read()).get(key)?.barId).toBe(docs.at(-1)!._id);
    expect(await mongo.db.collection(COLLECTIONS.latestBars).countDocuments()).toBe(2);
  });

  it("stores and loads checkpoints", async () => {
    const coll = mongo.db.collection(COLLECTIONS.indicatorState);
    const key = seriesKey("AAPL", "1d");
    const set = new BarIndicators();
    await saveCheckpoints(coll as never, [
      {
        _id: key,
        symbol: "AAPL",
        assetClass: "equity",
        interval: "1d",
        lastTs: new Date(0),
        lastBar: { open: 1, high: 1, low: 1, close: 1, adjClose: null, volume: 0, partial: false },
        state: JSON.stringify(set.toJSON()),
        dirtyFrom: null,
        updatedAt: new Date(),
      },
    ]);
    const loaded = await loadCheckpoints(coll as never, [key, "none|1d"]);
    expect([...loaded.keys()]).toEqual([key]);
  });

  it("explains the canonical queries in the server's own shape", async () => {
    const args = {
      symbol: "AAPL",
      interval: "1d" as const,
      from: new Date("2024-01-01"),
      to: new Date("2024-02-01"),
      limit: 5_000,
      date: "2024-01-10",
      series: "slope:^TNX-^IRX|1d",
    };
    for (const q of CANONICAL_QUERIES) {
      const a = analyzeExplain(await q.cursor(mongo.db, args).explain("queryPlanner"));
      expect(a.summary.length).toBeGreaterThan(0);
      if (a.server === "mongodb") expect(a.collectionScan).toBe(false);
    }
    const h = await mongo.health();
    if (h.ferretdb) await expect(setIntradayTtl(mongo.db, 7)).rejects.toThrow(/not implemented/i);
    else expect(await setIntradayTtl(mongo.db, 7)).toBe("created");
  });
});
