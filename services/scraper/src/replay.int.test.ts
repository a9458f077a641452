// From the recorded fixtures through the scraper to the real Kafka and MinIO: topics, ids, deterministic
// Parquet keys, an independent reader (DuckDB), and a re-run that adds nothing new.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  type Bar,
  createKafkaBus,
  type IncomingMessage,
  type ObjectStore,
  parseBarPartitionKey,
  readBarsParquet,
  readEventsParquet,
  TOPICS,
} from "@quant/core";
import { createTestBucket, testConfig, testLogger, uniqueName } from "@quant/core/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScrapeRequest } from "./args.ts";
import { REPO_ROOT } from "./config.ts";
import { runScrape } from "./scrape.ts";
import { createReplaySource } from "./sources/index.ts";
import { emptyResult, type MarketSource } from "./sources/types.ts";

const cfg = testConfig();
const FIXTURES = process.env.YAHOO_FIXTURES_DIR ?? resolve(REPO_ROOT, "../shared/fixtures/yahoo");

const requests: ScrapeRequest[] = [
  {
    job: "equities-eod",
    assetClass: "equity",
    symbols: ["AAPL"],
    intervals: ["1d"],
    from: "2020-08-31",
    to: "2020-11-06",
    source: "replay",
  },
  {
    job: "crypto",
    assetClass: "crypto",
    symbols: ["BTC-USD"],
    intervals: ["1d"],
    from: "2020-01-01",
    to: "2020-01-02",
    source: "replay",
  },
  // ^TNX has no real recording: served from a generated one, its bars labelled synthetic.
  {
    job: "bonds",
    assetClass: "bond",
    symbols: ["^TNX"],
    intervals: ["1d"],
    from: "2020-09-01",
    to: "2020-09-30",
    source: "replay",
  },
];

describe("replay scrape into Kafka and MinIO", () => {
  const bus = createKafkaBus({ brokers: cfg.KAFKA_BROKERS, clientId: uniqueName("scraper-it") }, testLogger);
  let store: ObjectStore;
  let removeBucket: () => Promise<void> = async () => {};
  const generatedDir = mkdtempSync(join(tmpdir(), "yahoo-generated-"));
  const received: IncomingMessage[] = [];
  let stopConsumer: () => Promise<void> = async () => {};

  beforeAll(async () => {
    ({ store, remove: removeBucket } = await createTestBucket("scrape"));
    await bus.connect();
    const consumer = await bus.consumer({ groupId: uniqueName("scraper-it") });
    const joined = new Promise<void>((r) => consumer.onGroupJoin(() => r()));
    // Only messages produced after the join: the topics are shared with other tests.
    await consumer.subscribe([TOPICS.equities, TOPICS.crypto, TOPICS.bonds], { fromBeginning: false });
    void consumer.runBatches(async (batch, control) => {
      for (const m of batch.messages) {
        received.push(m);
        control.resolveOffset(m.offset);
      }
    });
    await joined;
    // The join reports assignment before the fetch offsets are settled; give the first fetch a moment.
    await new Promise((r) => setTimeout(r, 1500));
    stopConsumer = () => consumer.disconnect();
  });

  afterAll(async () => {
    await stopConsumer();
    await bus.close();
    await removeBucket();
    rmSync(generatedDir, { recursive: true, force: true });
  });

  async function scrapeAll() {
    const producer = await bus.producer({ idempotent: true });
    const source = createReplaySource({
      realDirs: [FIXTURES],
      generatedDir,
      seed: 42,
      requestsPerSecond: 100,
      concurrency: 2,
      retry: { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 50 },
      logger: testLogger,
    });
    const summaries = [];
    for (const req of requests)
      summaries.push(
        await runScrape(req, { source, sinks: { producer, lake: store }, logger: testLogger, concurrency: 2 }),
      );
    await producer.disconnect();
    return summaries;
  }

  // Other tests and engineers share the topics: keep only this test's symbols from the replay source.
  const ours = (m: IncomingMessage) => {
    const bar = JSON.parse(m.value?.toString("utf8") ?? "{}") as Partial<Bar>;
    return (
      (bar.source === "replay" && ["AAPL", "BTC-USD"].includes(bar.symbol ?? "")) ||
      (bar.source === "synthetic" && bar.symbol === "^TNX")
    );
  };
  async function waitForMessages(count: number) {
    const deadline = Date.now() + 30_000;
    while (received.filter(ours).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // A moment more, so that a duplicate would show up too.
    await new Promise((r) => setTimeout(r, 500));
    return received.splice(0, received.length).filter(ours);
  }

  it("delivers bars with ids to the right topics and Parquet objects at the deterministic keys; a re-run adds nothing new", async () => {
    const first = await scrapeAll();
    expect(first.map((s) => [s.succeeded, s.failed])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    const total = first.reduce((a, s) => a + s.bars, 0);
    expect(first.map((s) => s.bars)).toEqual([49, 2, 21]);

    const messages = await waitForMessages(total);
    expect(messages).toHaveLength(total);
    const topicOf = new Map<string, string>();
    for (const m of messages) {
      const bar = JSON.parse(m.value!.toString("utf8")) as Bar;
      expect(m.headers.id).toBe(bar.id);
      expect(m.key).toBe(bar.symbol);
      expect(bar.id).toBe(`${bar.symbol}|${bar.interval}|${bar.ts}`);
      topicOf.set(bar.symbol, m.topic);
    }
    expect(Object.fromEntries(topicOf)).toEqual({
      AAPL: "equities_ticks",
      "BTC-USD": "crypto_ticks",
      "^TNX": "bonds_data",
    });
    // Generated data is labelled synthetic end to end: Kafka message (body and header) and lake.
    for (const m of messages) {
      const bar = JSON.parse(m.value!.toString("utf8")) as Bar;
      expect([bar.symbol, bar.source, m.headers.source]).toEqual([
        bar.symbol,
        bar.symbol === "^TNX" ? "synthetic" : "replay",
        bar.symbol === "^TNX" ? "synthetic" : "replay",
      ]);
    }
    const tnx = await readBarsParquet(
      await store.get("raw/asset=bond/interval=1d/symbol=%5ETNX/date=2020-09-01/bars.parquet"),
    );
    expect(tnx.bars[0]?.source).toBe("synthetic");
    const firstIds = new Set(messages.map((m) => m.headers.id));
    expect(firstIds.size).toBe(total);

    const keys = await store.list("");
    expect(keys).toContain("raw/asset=equity/interval=1d/symbol=AAPL/date=2020-08-31/bars.parquet");
    expect(keys).toContain("raw/asset=crypto/interval=1d/symbol=BTC-USD/date=2020-01-02/bars.parquet");
    expect(keys).toContain("raw/asset=bond/interval=1d/symbol=%5ETNX/date=2020-09-01/bars.parquet");
    expect(keys).toContain("events/asset=equity/symbol=AAPL/events.parquet");
    expect(keys.filter((k) => k.startsWith("raw/"))).toHaveLength(total);

    const { bars: aapl, rejected } = await readBarsParquet(
      await store.get("raw/asset=equity/interval=1d/symbol=AAPL/date=2020-11-02/bars.parquet"),
    );
    expect(rejected).toEqual([]);
    expect(aapl).toHaveLength(1);
    expect(aapl[0]).toMatchObject({ ts: "2020-11-02T14:30:00Z", tradingDate: "2020-11-02", source: "replay" });
    const events = await readEventsParquet(await store.get("events/asset=equity/symbol=AAPL/events.parquet"));
    expect(events.map((e) => e.type)).toEqual(["split", "dividend"]);

    // An independent reader: DuckDB sees proper types and the same values.
    const dir = mkdtempSync(join(tmpdir(), "lake-"));
    const file = join(dir, "bars.parquet");
    writeFileSync(file, await store.get("raw/asset=equity/interval=1d/symbol=AAPL/date=2020-11-02/bars.parquet"));
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const types = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjects();
    const typeOf = Object.fromEntries(types.map((r) => [String(r.column_name), String(r.column_type)]));
    expect(typeOf.ts).toMatch(/^TIMESTAMP/);
    expect(typeOf.ingestTs).toMatch(/^TIMESTAMP/);
    expect(typeOf.tradingDate).toBe("DATE");
    expect(typeOf.close).toBe("DOUBLE");
    expect(typeOf.partial).toBe("BOOLEAN");
    const rows = (
      await duck.runAndReadAll(
        `SELECT id, symbol, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, CAST(tradingDate AS VARCHAR) AS d, open, high, low, close, adjClose, volume FROM read_parquet('${file}')`,
      )
    ).getRowObjects();
    const b = aapl[0]!;
    expect(rows).toEqual([
      {
        id: b.id,
        symbol: "AAPL",
        ts: b.ts,
        d: "2020-11-02",
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        adjClose: b.adjClose,
        volume: b.volume,
      },
    ]);
    duck.closeSync();
    rmSync(dir, { recursive: true, force: true });

    // The same scrape again: no new object, no message with a new id.
    const second = await scrapeAll();
    expect(second.map((s) => s.bars)).toEqual([49, 2, 21]);
    expect(await store.list("")).toEqual(keys);
    const again = await waitForMessages(total);
    expect(again).toHaveLength(total);
    expect(again.every((m) => firstIds.has(m.headers.id ?? ""))).toBe(true);
  });

  it("refuses at its output border what the stream and the batch refuse: an impossible price, another series' id", async () => {
    const symbol = `ZZ${uniqueName("b").slice(-6).toUpperCase()}`;
    const good = new SyntheticMarket({ seed: 4 }).bars(symbol, "equity", "1d", "2024-01-02", "2024-01-05");
    expect(good).toHaveLength(4);
    const implausible: Bar = { ...good[1]!, high: 5e9 };
    const forged: Bar = { ...good[2]!, id: good[0]!.id };
    const source: MarketSource = {
      name: "synthetic",
      fetchSeries: async () => ({ ...emptyResult(), requests: 1, bars: [good[0]!, implausible, forged, good[3]!] }),
    };
    const producer = await bus.producer({ idempotent: true });
    const req: ScrapeRequest = {
      ...requests[0]!,
      job: "equities-eod",
      symbols: [symbol],
      from: "2024-01-02",
      to: "2024-01-05",
      source: "synthetic",
    };
    const summary = await runScrape(req, {
      source,
      sinks: { producer, lake: store },
      logger: testLogger,
      concurrency: 1,
    });
    await producer.disconnect();
    expect(summary.outcomes[0]).toMatchObject({ ok: true, bars: 2, invalidBars: 2 });
    const keys = (await store.list("")).filter((k) => k.includes(`symbol=${symbol}/`));
    expect(keys.map((k) => parseBarPartitionKey(k).date).sort()).toEqual(["2024-01-02", "2024-01-05"]);
    const deadline = Date.now() + 30_000;
    const mine = () => received.filter((m) => m.key === symbol);
    while (mine().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500));
    expect(
      mine()
        .map((m) => m.headers.id)
        .sort(),
    ).toEqual([good[0]!.id, good[3]!.id]);
  });
});
