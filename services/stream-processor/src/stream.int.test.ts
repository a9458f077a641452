import {
  BAR_COMPARED_FIELDS,
  type Bar,
  type BarDocument,
  barId,
  barsCollection,
  checkpointsCollection,
  DLQ_HEADERS,
  indicatorBar,
  isoUtc,
  markCheckpointDirty,
  qualityCollection,
  toBarDocument,
} from "@quant/core";
import { countBars, documentBytes, produceBars, snapshotBars, testLogger, waitFor } from "@quant/core/testing";
import { indicatorOptionsFor } from "@quant/enrich";
import { BarIndicators } from "@quant/indicators";
import { SyntheticMarket } from "@quant/synthetic";
import { describe, expect, it } from "vitest";
import type { BatchStats } from "./processor.ts";
import { type RunningStreamProcessor, startStreamProcessor } from "./run.ts";
import { readDeadLetters, type TestEnv, useTestEnv } from "./test-support.ts";

const market = new SyntheticMarket({ seed: 7 });

/** The batch form: the final bars of a series, in ts order, through a fresh BarIndicators. */
function expectedDocs(bars: readonly Bar[]): Map<string, BarDocument> {
  const first = bars[0]!;
  const set = new BarIndicators(indicatorOptionsFor(first.assetClass, first.interval));
  const out = new Map<string, BarDocument>();
  for (const b of bars) out.set(b.id, toBarDocument(b, set.update(indicatorBar(b)), set.warm, new Date(0)));
  return out;
}

function expectSameDocument(actual: Record<string, unknown> | null | undefined, expected: BarDocument): void {
  expect(actual, expected._id).toBeTruthy();
  for (const f of BAR_COMPARED_FIELDS) expect(actual![f], `${expected._id} ${f}`).toEqual(expected[f]);
  expect(actual!.warm, `${expected._id} warm`).toEqual(expected.warm);
}

async function runUntilConsumed(
  env: TestEnv,
  messages: number,
  overrides: Parameters<TestEnv["config"]>[0] = {},
): Promise<{ app: RunningStreamProcessor; stats: BatchStats[]; total(k: keyof BatchStats): number }> {
  const stats: BatchStats[] = [];
  /** A count summed over the batches so far. */
  const total = (k: keyof BatchStats) => stats.reduce((n, s) => n + (s[k] as number), 0);
  const app = await startStreamProcessor(env.config(overrides), testLogger, { onBatch: (s) => stats.push(s) });
  await waitFor("all messages consumed", async () => total("messages") >= messages);
  return { app, stats, total };
}

describe("stream processor: enrichment equals the batch form", () => {
  const env = useTestEnv("stream_a");

  it("writes the documents BarIndicators computes over the same series, through duplicates, partial bars and a late bar", async () => {
    const aapl = market.bars("AAPL", "equity", "1d", "2023-01-01", "2024-01-31");
    const msft = market.bars("MSFT", "equity", "1d", "2023-01-01", "2024-01-31");
    const tnx = market.bars("^TNX", "bond", "1d", "2023-06-01", "2024-01-31");
    const btc = market
      .series({ symbols: ["BTC-USD"], assetClass: "crypto", interval: "5m", count: 400 })
      .get("BTC-USD")!;
    expect(aapl.length).toBeGreaterThan(260);

    const partialOf = (b: Bar): Bar => ({ ...b, close: b.low, partial: true });
    const held = aapl[150]!; // sent last: a late bar
    const stream: Bar[] = [
      ...aapl.filter((b) => b !== held),
      ...msft,
      ...tnx,
      // A partial bar followed by its final version, mid-series and at the end.
      ...btc.flatMap((b, i) => (i === 200 || i === btc.length - 1 ? [partialOf(b), b] : [b])),
      ...msft.slice(100, 120), // re-sent: duplicates
      ...btc.slice(0, 10),
      held,
    ];
    await produceBars(env.producer, env.topic, stream);
    const { app, total } = await runUntilConsumed(env, stream.length);
    await app.stop();

    expect(total("duplicates")).toBe(30);
    expect(total("replaced")).toBe(2);
    expect(total("late")).toBe(1);
    expect(total("deadLetters")).toBe(0);

    const expected = new Map([
      ...expectedDocs(aapl),
      ...expectedDocs(msft),
      ...expectedDocs(tnx),
      ...expectedDocs(btc),
    ]);
    expect(await countBars(env.mongo)).toBe(expected.size);
    const snapshot = await snapshotBars(env.mongo);
    for (const [id, doc] of expected) expectSameDocument(snapshot.get(id), doc);

    // SMA200 is warm at the end of the year-long daily series, and null before its lookback.
    const last = await barsCollection(env.mongo.db, "1d").findOne({ _id: aapl[aapl.length - 1]!.id });
    expect(last?.sma200).toBeTypeOf("number");
    expect(last?.warm.sma200).toBe(true);
    expect((await barsCollection(env.mongo.db, "1d").findOne({ _id: aapl[10]!.id }))?.sma20).toBeNull();
  });

  it("resumes from checkpoints after a restart: SMA200 is not reset", async () => {
    const cfg = env.config();
    const bars = market.bars("NVDA", "equity", "1d", "2023-01-01", "2024-03-31");
    const half = Math.floor(bars.length / 2);
    const first = await startStreamProcessor(cfg, testLogger);
    await produceBars(env.producer, env.topic, bars.slice(0, half));
    await waitFor(
      "first half",
      async () => (await barsCollection(env.mongo.db, "1d").countDocuments({ symbol: "NVDA" })) === half,
    );
    await first.stop();
    const second = await startStreamProcessor(cfg, testLogger);
    await produceBars(env.producer, env.topic, bars.slice(half));
    await waitFor(
      "second half",
      async () => (await barsCollection(env.mongo.db, "1d").countDocuments({ symbol: "NVDA" })) === bars.length,
    );
    await second.stop();
    const snapshot = await snapshotBars(env.mongo);
    for (const [id, doc] of expectedDocs(bars)) expectSameDocument(snapshot.get(id), doc);
  });
});

describe("stream processor: dead letters", () => {
  const env = useTestEnv("stream_c", 2);

  it("sends 1,000 malformed messages to the dead-letter topic with a reason, processes every good one and keeps going", async () => {
    const good = [
      ...market.bars("AMD", "equity", "1d", "2023-01-01", "2023-12-31"),
      ...market.bars("ETH-USD", "crypto", "1d", "2023-01-01", "2023-12-31"),
    ];
    const template = good[0]!;
    const malformed = (i: number): { key: string; value: string } => {
      // Its own id (the identity check is not what these messages test; see "identity" below).
      const ts = isoUtc(Date.parse(template.ts) + i * 60_000);
      const b = { ...template, ts, id: barId({ ...template, ts }) };
      switch (i % 6) {
        case 0:
          return { key: "AMD", value: `{"v":1,"id":` }; // truncated JSON
        case 1:
          return { key: "AMD", value: JSON.stringify({ ...b, close: "12.5" }) }; // schema: string price
        case 2:
          return { key: "AMD", value: JSON.stringify({ ...b, high: b.low - 1 }) }; // OHLC invariant
        case 3:
          return { key: "AMD", value: JSON.stringify({ ...b, open: 1e12, high: 1e12 }) }; // impossible price
        case 4:
          return { key: "AMD", value: JSON.stringify({ ...b, volume: -5 }) }; // schema: negative volume
        default:
          return { key: "AMD", value: "" }; // empty value
      }
    };
    const messages: { key: string; value: string }[] = [];
    let g = 0;
    for (let i = 0; i < 1_000; i++) {
      messages.push(malformed(i));
      if (i % 2 === 0 && g < good.length) messages.push({ key: good[g]!.symbol, value: JSON.stringify(good[g++]) });
    }
    while (g < good.length) messages.push({ key: good[g]!.symbol, value: JSON.stringify(good[g++]) });
    for (let i = 0; i < messages.length; i += 500) await env.producer.send(env.topic, messages.slice(i, i + 500));

    const { app, total } = await runUntilConsumed(env, messages.length, { STREAM_MAX_BYTES_PER_PARTITION: 32_768 });
    expect(total("deadLetters")).toBe(1_000);
    expect(await countBars(env.mongo)).toBe(good.length);

    // The processor is still alive: one more good bar gets written.
    const next = market.bars("AMD", "equity", "1d", "2024-01-02", "2024-01-02")[0]!;
    await produceBars(env.producer, env.topic, [next]);
    await waitFor("bar after the bad ones", async () => (await countBars(env.mongo)) === good.length + 1);
    await app.stop();

    // Every malformed message is in the dead-letter topic, with reason and origin.
    const dead = await readDeadLetters(env, 1_000);
    expect(dead).toHaveLength(1_000);
    const kinds = new Map<string, number>();
    for (const d of dead) {
      expect(d[DLQ_HEADERS.reason]?.length).toBeGreaterThan(0);
      expect(d[DLQ_HEADERS.topic]).toBe(env.topic);
      expect(Number(d[DLQ_HEADERS.offset])).toBeGreaterThanOrEqual(0);
      kinds.set(d[DLQ_HEADERS.kind]!, (kinds.get(d[DLQ_HEADERS.kind]!) ?? 0) + 1);
    }
    expect(Object.fromEntries(kinds)).toEqual({ json: 167, schema: 500, price: 167, empty: 166 });
    // The original payload travels unchanged.
    expect(dead.some((d) => d.value === `{"v":1,"id":`)).toBe(true);
  });
});

describe("stream processor: identity", () => {
  const env = useTestEnv("stream_id", 2);

  it("dead-letters a schema-valid message whose id names another series' bar, leaving that document unchanged byte for byte; one instant in two spellings is one document; a bar keyed by another symbol is a dead letter", async () => {
    const aapl = market.bars("AAPL", "equity", "1d", "2020-10-01", "2020-11-30");
    const target = aapl.find((b) => b.tradingDate === "2020-11-06")!;
    expect(target.id).toBe("AAPL|1d|2020-11-06T14:30:00Z");
    await produceBars(env.producer, env.topic, aapl);
    const { app, total } = await runUntilConsumed(env, aapl.length);
    await waitFor("AAPL written", async () => (await countBars(env.mongo)) === aapl.length);
    const coll = barsCollection(env.mongo.db, "1d");
    const before = documentBytes(await coll.findOne({ _id: target.id }));

    // The message of the report: valid in every field, but its id is AAPL's bar of that day.
    const forged = { ...target, symbol: "ZZFORGE", close: target.close * 2, high: target.high * 2 };
    // Its own id, but spelled with milliseconds: not the canonical id of that instant.
    const spelled = { ...aapl[0]!, id: `AAPL|1d|${aapl[0]!.ts.replace("Z", ".000Z")}` };
    // A new bar sent twice: ts spelled ...00Z, then ...00.000Z (same id): one document.
    const next = market.bars("AAPL", "equity", "1d", "2020-12-01", "2020-12-01")[0]!;
    const respelled = { ...next, ts: next.ts.replace("Z", ".000Z") };
    // A valid new AAPL bar keyed as another symbol: it would land in that symbol's partition (two partitions here).
    const misKeyed = market.bars("AAPL", "equity", "1d", "2020-12-02", "2020-12-02")[0]!;
    await env.producer.send(env.topic, [
      { key: "ZZFORGE", value: JSON.stringify(forged) },
      { key: "AAPL", value: JSON.stringify(spelled) },
      { key: "AAPL", value: JSON.stringify(next) },
      { key: "AAPL", value: JSON.stringify(respelled) },
      { key: "MSFT", value: JSON.stringify(misKeyed) },
    ]);
    await waitFor("all consumed", async () => total("messages") >= aapl.length + 5);
    await app.stop();

    const dead = await readDeadLetters(env, 3);
    expect(dead.map((d) => d[DLQ_HEADERS.kind]).sort()).toEqual(["key", "schema", "schema"]);
    expect(dead.find((d) => d[DLQ_HEADERS.kind] === "key")!.value).toBe(JSON.stringify(misKeyed));
    expect(await coll.countDocuments({ _id: misKeyed.id })).toBe(0);
    const forgedDead = dead.find((d) => d.value === JSON.stringify(forged))!;
    expect(forgedDead[DLQ_HEADERS.reason]).toContain(
      'id: identity: "AAPL|1d|2020-11-06T14:30:00Z" is not this bar\'s id "ZZFORGE|1d|2020-11-06T14:30:00Z"',
    );
    expect(dead.some((d) => d.value === JSON.stringify(spelled))).toBe(true);
    // AAPL's document is exactly as before; no document of ZZFORGE; the re-spelled bar is a duplicate.
    expect(documentBytes(await coll.findOne({ _id: target.id })).equals(before)).toBe(true);
    expect(await coll.countDocuments({ symbol: "ZZFORGE" })).toBe(0);
    expect(await coll.countDocuments({ symbol: "AAPL" })).toBe(aapl.length + 1);
    expect((await coll.findOne({ _id: next.id }))?.ts).toEqual(new Date(next.ts));
    expect(total("duplicates")).toBe(1);
  });
});

describe("stream processor: bars the indicators refuse", () => {
  const env = useTestEnv("stream_e", 1);

  it("dead-letters a bar that passes the schema but not the indicators, in order and late, and writes every other bar", async () => {
    const bars = market.bars("INTC", "equity", "1d", "2023-01-01", "2023-06-30");
    // Labelled a bond: schema and plausibility checks allow a negative yield, but the series' indicators were made
    // for an equity (prices > 0) and refuse it (InvalidInputError) — the only way such a bar reaches them.
    const asBond = (b: Bar): Bar => ({ ...b, assetClass: "bond", open: -1, high: -0.5, low: -1.5, close: -1 });
    const inOrder = asBond(bars[40]!); // after the series' last bar: update() refuses it
    const late = asBond(bars[20]!); // a stored bar's ts, other content: the late-bar recompute refuses it
    const stream = [...bars.slice(0, 40), inOrder, ...bars.slice(40, 60), late, ...bars.slice(60)];
    await produceBars(env.producer, env.topic, stream);
    const { app, total } = await runUntilConsumed(env, stream.length);
    await app.stop();

    expect(total("deadLetters")).toBe(2);
    expect(total("late")).toBe(0);
    // Every other bar is written, with the values of the series without the refused ones; nothing was rewritten.
    expect(await countBars(env.mongo)).toBe(bars.length);
    const snapshot = await snapshotBars(env.mongo);
    for (const [id, doc] of expectedDocs(bars)) expectSameDocument(snapshot.get(id), doc);
    const cp = await env.mongo.db.collection("indicator_state").findOne({ _id: "INTC|1d" as never });
    expect(cp?.dirtyFrom).toBeNull();
    expect(cp?.lastTs).toEqual(new Date(bars[bars.length - 1]!.ts));

    const dead = await readDeadLetters(env, 2);
    expect(dead).toHaveLength(2);
    for (const [d, bar, offset] of [
      [dead[0]!, inOrder, 40],
      [dead[1]!, late, 61],
    ] as const) {
      expect(d[DLQ_HEADERS.kind]).toBe("indicator");
      expect(d[DLQ_HEADERS.reason]).toContain("invalid open -1: must be finite and > 0");
      expect(d[DLQ_HEADERS.topic]).toBe(env.topic);
      expect(d[DLQ_HEADERS.partition]).toBe("0");
      expect(d[DLQ_HEADERS.offset]).toBe(String(offset));
      expect(stream[offset]).toBe(bar);
      expect(d.value).toBe(JSON.stringify(bar));
    }
  });
});

describe("stream processor: rebuild from history", () => {
  const env = useTestEnv("stream_f", 1);

  it("after a crash mid-recompute (dirty checkpoint), rewrites only the documents that differ from the recomputation", async () => {
    const cfg = env.config();
    const bars = market.bars("CSCO", "equity", "1d", "2023-01-01", "2023-12-31");
    const first = bars.slice(0, 200);
    const coll = barsCollection(env.mongo.db, "1d");
    const app = await startStreamProcessor(cfg, testLogger);
    await produceBars(env.producer, env.topic, first);
    await waitFor("first part", async () => (await coll.countDocuments({ symbol: "CSCO" })) === first.length);
    await app.stop();
    // The state a crash in a late-bar recompute leaves: the checkpoint marked dirty from bar 100 on, and one document
    // of the tail not yet rewritten (here: a wrong value).
    await markCheckpointDirty(checkpointsCollection(env.mongo.db), "CSCO|1d", new Date(bars[100]!.ts));
    const stale = bars[150]!.id;
    await coll.updateOne({ _id: stale }, { $set: { sma20: 1 } });
    const processedBefore = new Map((await coll.find({}).toArray()).map((d) => [d._id, d.processedTs.getTime()]));

    const restarted = await startStreamProcessor(cfg, testLogger);
    await produceBars(env.producer, env.topic, bars.slice(200));
    await waitFor("the rest", async () => (await coll.countDocuments({ symbol: "CSCO" })) === bars.length);
    await restarted.stop();

    const snapshot = await snapshotBars(env.mongo);
    for (const [id, doc] of expectedDocs(bars)) expectSameDocument(snapshot.get(id), doc);
    // Only the stale document was rewritten by the rebuild; the equal ones kept their processedTs.
    const rewritten = (await coll.find({}).toArray())
      .filter((d) => processedBefore.has(d._id) && d.processedTs.getTime() !== processedBefore.get(d._id))
      .map((d) => d._id);
    expect(rewritten).toEqual([stale]);
    const cp = await checkpointsCollection(env.mongo.db).findOne({ _id: "CSCO|1d" });
    expect(cp?.dirtyFrom).toBeNull();
  });
});

describe("stream processor: replay after a crash before the checkpoint", () => {
  const env = useTestEnv("stream_g", 1);

  it("after a crash between a batch's documents and its checkpoint, the replay rewrites nothing", async () => {
    const bars = market.bars("ORCL", "equity", "1d", "2023-01-01", "2023-10-31");
    const coll = barsCollection(env.mongo.db, "1d");
    const checkpoints = checkpointsCollection(env.mongo.db);
    await produceBars(env.producer, env.topic, bars.slice(0, 150));
    const first = await runUntilConsumed(env, 150);
    await first.app.stop();
    const earlier = await checkpoints.findOne({ _id: "ORCL|1d" });
    await produceBars(env.producer, env.topic, bars.slice(150));
    const second = await runUntilConsumed(env, bars.length);
    await second.app.stop();
    // The crash: the documents of bars 150.. are written, the checkpoint still says bar 149, and a new member
    // (another group here) replays every message.
    await checkpoints.replaceOne({ _id: "ORCL|1d" }, earlier!);
    const processedBefore = new Map((await coll.find({}).toArray()).map((d) => [d._id, d.processedTs.getTime()]));

    const replay = await runUntilConsumed(env, bars.length);
    await replay.app.stop();
    expect(replay.total("duplicates")).toBe(bars.length);
    expect(replay.total("written")).toBe(0);
    const rewritten = (await coll.find({}).toArray()).filter(
      (d) => d.processedTs.getTime() !== processedBefore.get(d._id),
    );
    expect(rewritten).toEqual([]);
    const snapshot = await snapshotBars(env.mongo);
    for (const [id, doc] of expectedDocs(bars)) expectSameDocument(snapshot.get(id), doc);
    expect((await checkpoints.findOne({ _id: "ORCL|1d" }))?.lastTs).toEqual(new Date(bars[bars.length - 1]!.ts));
  });
});

describe("stream processor: two instances in one group", () => {
  const env = useTestEnv("stream_d", 4);

  it("writes the same documents as one instance, across the rebalance when the second joins", {
    timeout: 180_000,
  }, async () => {
    const symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "META", "TSLA"];
    const bars = symbols.flatMap((s) => market.bars(s, "equity", "1d", "2023-01-01", "2024-01-31"));
    await produceBars(env.producer, env.topic, bars);
    // Small fetches: many batches, so the second member joins while the first is mid-way.
    const cfg = env.config({ STREAM_MAX_BYTES_PER_PARTITION: 16_384 });
    const a = await startStreamProcessor(cfg, testLogger);
    await waitFor("first writes", async () => (await countBars(env.mongo)) > 200);
    const b = await startStreamProcessor(cfg, testLogger);
    await waitFor("all written", async () => (await countBars(env.mongo)) === bars.length, 90_000);
    await Promise.all([a.stop(), b.stop()]);
    const twoInstances = await snapshotBars(env.mongo, { withoutIngestTs: true });

    await env.mongo.db.dropDatabase();
    const single = await startStreamProcessor(env.config({ STREAM_MAX_BYTES_PER_PARTITION: 16_384 }), testLogger);
    await waitFor("single instance", async () => (await countBars(env.mongo)) === bars.length, 90_000);
    await single.stop();
    const oneInstance = await snapshotBars(env.mongo, { withoutIngestTs: true });
    expect(twoInstances.size).toBe(bars.length);
    for (const [id, doc] of oneInstance) expect(twoInstances.get(id), id).toEqual(doc);
  });
});

describe("stream processor: checkpoints on an interval", () => {
  const env = useTestEnv("stream_h", 1);

  it("saves a series' checkpoint at most once per interval while running, and the unsaved ones at a clean stop", async () => {
    const bars = market.bars("AMD", "equity", "1d", "2023-01-01", "2023-12-31");
    const last = new Date(bars[bars.length - 1]!.ts);
    const checkpoints = checkpointsCollection(env.mongo.db);
    await produceBars(env.producer, env.topic, bars, 25);
    const { app, stats, total } = await runUntilConsumed(env, bars.length, {
      STREAM_CHECKPOINT_INTERVAL_MS: 3_600_000,
      STREAM_MAX_BYTES_PER_PARTITION: 8_192,
    });
    // The first batch of a new series saves its checkpoint; within the hour no later batch does.
    expect(stats.length).toBeGreaterThan(1);
    expect(total("checkpoints")).toBe(1);
    const whileRunning = await checkpoints.findOne({ _id: "AMD|1d" });
    expect(whileRunning!.lastTs.getTime()).toBeLessThan(last.getTime());
    await app.stop();
    expect((await checkpoints.findOne({ _id: "AMD|1d" }))?.lastTs).toEqual(last);
    const snapshot = await snapshotBars(env.mongo);
    for (const [id, doc] of expectedDocs(bars)) expectSameDocument(snapshot.get(id), doc);
  });
});

describe("stream processor: a quiet stream", () => {
  const env = useTestEnv("stream_q", 1);

  it("saves what it owes within an interval, without a further message: the checkpoint and the quality row of its last bar", async () => {
    const bars = market.bars("NVDA", "equity", "1d", "2023-01-01", "2023-03-31");
    const last = new Date(bars.at(-1)!.ts);
    const checkpoints = checkpointsCollection(env.mongo.db);
    await produceBars(env.producer, env.topic, bars, 10);
    // Batches of a few bars each, all within the interval: only the first batch saves on its own.
    const { app } = await runUntilConsumed(env, bars.length, {
      STREAM_CHECKPOINT_INTERVAL_MS: 4_000,
      STREAM_MAX_BYTES_PER_PARTITION: 4_096,
    });
    try {
      await waitFor(
        "the checkpoint at the last bar",
        async () => (await checkpoints.findOne({ _id: "NVDA|1d" }))?.lastTs.getTime() === last.getTime(),
        30_000,
      );
      const lastDoc = await barsCollection(env.mongo.db, "1d").findOne({ _id: bars.at(-1)!.id });
      const row = await qualityCollection(env.mongo.db).findOne({
        symbol: "NVDA",
        interval: "1d",
        tradingDate: lastDoc!.tradingDate,
      });
      expect(row?.lastTs).toEqual(last);
      expect(row?.bars).toBe(1);
    } finally {
      await app.stop();
    }
  });
});
