// Rollups through Kafka and the stream processor: bars_rollup equals a plain re-computation from the same source
// series (through partial bars, duplicates, a late bar within the allowed lateness and one after its windows
// closed), enriched values equal BarIndicators over the rollup series, scraped bars of the same id are untouched,
// and a restart mid-run gives identical rollup documents.
import {
  BAR_COMPARED_FIELDS,
  type Bar,
  type BarDocument,
  barsCollection,
  COLLECTIONS,
  connectMongo,
  indicatorBar,
  type MongoHandle,
  readLatestBars,
  rollupCollection,
  toBarDocument,
} from "@quant/core";
import { countBars, produceBars, snapshotBars, testConfig, testLogger, uniqueName, waitFor } from "@quant/core/testing";
import { indicatorOptionsFor, rollupTargets } from "@quant/enrich";
import { plainRollupBars } from "@quant/enrich/testing";
import { BarIndicators } from "@quant/indicators";
import { SyntheticMarket } from "@quant/synthetic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchStats } from "./processor.ts";
import { startStreamProcessor } from "./run.ts";
import { createTestEnv, type TestEnv } from "./test-support.ts";

const market = new SyntheticMarket({ seed: 21 });
const btc = market.bars("BTC-USD", "crypto", "1m", "2024-01-01", "2024-01-01");
const aapl = market.bars("AAPL", "equity", "5m", "2024-01-02", "2024-01-09");
// Scraped 5m crypto bars: same ids as BTC-USD's 5m rollups, in another collection.
const btc5m = market.bars("BTC-USD", "crypto", "5m", "2024-01-01", "2024-01-01");
const sources = [btc, aapl];

/** Expected rollup documents: the plain grouping of each final source series, through a fresh BarIndicators. */
function expectedRollups(): Map<string, BarDocument> {
  const out = new Map<string, BarDocument>();
  for (const series of sources) {
    const first = series[0]!;
    for (const target of rollupTargets(first.assetClass, first.interval)) {
      const set = new BarIndicators(indicatorOptionsFor(first.assetClass, target));
      for (const b of plainRollupBars(series, target))
        out.set(b.id, toBarDocument(b, set.update(indicatorBar(b)), set.warm, new Date(0)));
    }
  }
  return out;
}

/** The message order: partial bars before their final one, duplicates, a bar 1 interval late, one very late. */
function messages(): Bar[] {
  const partialOf = (b: Bar): Bar => ({ ...b, close: b.low, volume: 1, partial: true });
  // Its 5m and 1h windows are long closed when it arrives. Near the end: the late path rewrites every source
  // document after it, and FerretDB 1.24 rewrites existing documents at ~20/s (an update scans the table).
  const veryLate = btc[btc.length - 70]!;
  const out: Bar[] = [];
  const interleaved = [...btc, ...aapl, ...btc5m].sort((a, b) => a.ts.localeCompare(b.ts));
  for (let i = 0; i < interleaved.length; i++) {
    const b = interleaved[i]!;
    if (b === veryLate) continue;
    if (i % 50 === 7) out.push(partialOf(b));
    out.push(b);
    if (i % 97 === 5) out.push(b); // duplicate
  }
  // Within the allowed lateness: a BTC bar (and any partial or duplicate of it) sent after the next one, whose
  // windows are still open.
  const held = btc[600]!;
  const rest = out.filter((b) => b.id !== held.id);
  rest.splice(rest.indexOf(btc[601]!) + 1, 0, held);
  rest.push(veryLate);
  return rest;
}

function expectSame(actual: Record<string, unknown> | undefined, expected: BarDocument): void {
  expect(actual, expected._id).toBeTruthy();
  for (const f of BAR_COMPARED_FIELDS) expect(actual![f], `${expected._id} ${f}`).toEqual(expected[f]);
  expect(actual!.warm, `${expected._id} warm`).toEqual(expected.warm);
  expect(actual!.source).toBe("rollup");
}

describe("stream processor: rollups", () => {
  let env: TestEnv;
  let restartDb: MongoHandle;
  const restartDbName = uniqueName("rollup_restart");
  const stream = messages();
  const sourceCount = btc.length + aapl.length + btc5m.length;
  const expected = expectedRollups();

  beforeAll(async () => {
    env = await createTestEnv("rollup");
    restartDb = await connectMongo({ uri: testConfig().MONGODB_URI, dbName: restartDbName }, testLogger);
    await produceBars(env.producer, env.topic, stream);
  });
  afterAll(async () => {
    await restartDb?.db.dropDatabase().catch(() => {});
    await restartDb?.close();
    await env?.close();
  });

  it("bars_rollup equals the plain re-computation from the same source series, enriched by BarIndicators", async () => {
    const stats: BatchStats[] = [];
    const app = await startStreamProcessor(env.config({ STREAM_MAX_BYTES_PER_PARTITION: 65_536 }), testLogger, {
      onBatch: (s) => stats.push(s),
    });
    // The very late bar is the last message and the only one that creates its document.
    await waitFor("all written", async () => (await countBars(env.mongo)) === sourceCount, 120_000);
    await app.stop();
    expect(stats.reduce((n, s) => n + s.deadLetters, 0)).toBe(0);

    expect(await countBars(env.mongo)).toBe(sourceCount);
    const rollups = await rollupCollection(env.mongo.db).find({}).toArray();
    expect(rollups).toHaveLength(expected.size);
    // 1m crypto -> 5m, 1h (1d: the day has not closed); 5m equities -> 1h, 1d.
    expect(new Set(rollups.map((d) => `${d.symbol}|${d.interval}`))).toEqual(
      new Set(["BTC-USD|5m", "BTC-USD|1h", "AAPL|1h", "AAPL|1d"]),
    );
    const byId = new Map(rollups.map((d) => [d._id, d as unknown as Record<string, unknown>]));
    for (const [id, doc] of expected) expectSame(byId.get(id), doc);

    // The scraped 5m crypto bars are not overwritten by the rollups of the same id.
    const scraped = await barsCollection(env.mongo.db, "5m").findOne({ _id: btc5m[10]!.id });
    expect(scraped?.source).toBe("synthetic");
    expect(scraped?.volume).toBe(btc5m[10]!.volume);
    const cp = await env.mongo.db.collection(COLLECTIONS.indicatorState).findOne({ _id: "BTC-USD|1m" as never });
    expect(typeof cp?.rollup).toBe("string");

    // latest_bars holds the newest document of every series, scraped and rolled up, as written (the very late bar
    // came last but did not move BTC-USD 1m's latest bar back).
    const latest = new Map((await readLatestBars(env.mongo.db)).map((d) => [d._id, d]));
    const newest = (docs: readonly { _id: string; ts: Date }[]) =>
      docs.reduce((a, b) => (b.ts.getTime() > a.ts.getTime() ? b : a));
    expect(latest.get("BTC-USD|1m|scraped")?.barId).toBe(btc.at(-1)!.id);
    expect(latest.get("AAPL|5m|scraped")?.barId).toBe(aapl.at(-1)!.id);
    expect(latest.get("BTC-USD|5m|scraped")?.barId).toBe(btc5m.at(-1)!.id);
    for (const key of ["BTC-USD|5m", "BTC-USD|1h", "AAPL|1h", "AAPL|1d"]) {
      const [symbol, interval] = key.split("|");
      const last = newest(rollups.filter((d) => d.symbol === symbol && d.interval === interval));
      expect(latest.get(`${key}|rollup`)?.barId, key).toBe(last._id);
    }
    expect(latest.size).toBe(7);
  });

  it("a restart mid-run gives identical rollup documents", async () => {
    const cfg = env.config({ MONGODB_DB: restartDbName, STREAM_MAX_BYTES_PER_PARTITION: 32_768 });
    let consumed = 0;
    let reached = (): void => {};
    const third = new Promise<void>((r) => (reached = r));
    const first = await startStreamProcessor(cfg, testLogger, {
      onBatch: (s) => {
        consumed += s.messages;
        if (consumed >= stream.length / 3) reached();
      },
    });
    await third;
    await first.stop();
    expect(consumed).toBeLessThan(stream.length);
    const second = await startStreamProcessor(cfg, testLogger);
    await waitFor(
      "all written",
      async () =>
        (await countBars(restartDb)) === sourceCount &&
        (await rollupCollection(restartDb.db).estimatedDocumentCount()) === expected.size,
      120_000,
    );
    await second.stop();
    const restarted = await snapshotBars(restartDb, { withoutIngestTs: true });
    const reference = await snapshotBars(env.mongo, { withoutIngestTs: true });
    expect(restarted.size).toBe(reference.size);
    for (const [id, doc] of reference) expect(restarted.get(id), id).toEqual(doc);
  });
});
