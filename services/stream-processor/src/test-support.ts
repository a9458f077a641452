// Helpers of the integration tests (not part of the service): unique topics, producing bars, waiting for MongoDB,
// and a comparable snapshot of the bar collections.
import {
  BARS_COLLECTIONS,
  type Bar,
  COLLECTIONS,
  connectMongo,
  createKafkaBus,
  INTERVAL_MS,
  type Interval,
  type KafkaBus,
  type MongoHandle,
  type ProducerHandle,
} from "@quant/core";
import { testConfig, testLogger, uniqueName } from "@quant/core/testing";
import type { StreamConfig } from "./config.ts";

export interface TestEnv {
  bus: KafkaBus;
  producer: ProducerHandle;
  mongo: MongoHandle;
  topic: string;
  deadLetterTopic: string;
  dbName: string;
  config(overrides?: Partial<StreamConfig>): StreamConfig;
  close(): Promise<void>;
}

export async function createTestEnv(name: string, partitions = 3): Promise<TestEnv> {
  const cfg = testConfig();
  const topic = uniqueName(`${name}_bars`);
  const deadLetterTopic = uniqueName(`${name}_dlq`);
  const dbName = uniqueName(name);
  const bus = createKafkaBus({ brokers: cfg.KAFKA_BROKERS, clientId: uniqueName("test") }, testLogger);
  await bus.connect();
  await bus.ensureTopics([
    { topic, partitions },
    { topic: deadLetterTopic, partitions: 1 },
  ]);
  const producer = await bus.producer({ idempotent: true });
  const mongo = await connectMongo({ uri: cfg.MONGODB_URI, dbName }, testLogger);
  return {
    bus,
    producer,
    mongo,
    topic,
    deadLetterTopic,
    dbName,
    config: (overrides = {}) => ({
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: cfg.KAFKA_BROKERS,
      KAFKA_CLIENT_ID: "test",
      MONGODB_URI: cfg.MONGODB_URI,
      MONGODB_DB: dbName,
      STREAM_GROUP_ID: uniqueName(`${name}_group`),
      STREAM_TOPICS: [topic],
      STREAM_DEAD_LETTER_TOPIC: deadLetterTopic,
      STREAM_FROM_BEGINNING: true,
      STREAM_MAX_BYTES_PER_PARTITION: 1_048_576,
      STREAM_SESSION_TIMEOUT_MS: 10_000,
      STREAM_REBALANCE_TIMEOUT_MS: 10_000,
      STREAM_SHUTDOWN_TIMEOUT_MS: 20_000,
      STREAM_BULK_OPS_PER_COMMAND: 32,
      // Any free port: several processors run side by side in the tests.
      METRICS_PORT: 0,
      // Every partition of a 3-partition test topic at once: the tests go through the merged writes.
      STREAM_PARTITIONS_CONCURRENCY: 3,
      // A checkpoint after every batch: the tests place crashes between a batch's steps (the kill test overrides).
      STREAM_CHECKPOINT_INTERVAL_MS: 0,
      ...overrides,
    }),
    async close() {
      await mongo.db.dropDatabase().catch(() => {});
      await mongo.close();
      await bus.close();
    },
  };
}

/** The environment variables of a child stream processor with this configuration. */
export function configEnv(c: StreamConfig): Record<string, string> {
  return {
    LOG_LEVEL: c.LOG_LEVEL,
    KAFKA_BROKERS: c.KAFKA_BROKERS.join(","),
    KAFKA_CLIENT_ID: c.KAFKA_CLIENT_ID,
    MONGODB_URI: c.MONGODB_URI,
    MONGODB_DB: c.MONGODB_DB,
    STREAM_GROUP_ID: c.STREAM_GROUP_ID,
    STREAM_TOPICS: c.STREAM_TOPICS.join(","),
    STREAM_DEAD_LETTER_TOPIC: c.STREAM_DEAD_LETTER_TOPIC,
    STREAM_FROM_BEGINNING: String(c.STREAM_FROM_BEGINNING),
    STREAM_MAX_BYTES_PER_PARTITION: String(c.STREAM_MAX_BYTES_PER_PARTITION),
    STREAM_SESSION_TIMEOUT_MS: String(c.STREAM_SESSION_TIMEOUT_MS),
    STREAM_REBALANCE_TIMEOUT_MS: String(c.STREAM_REBALANCE_TIMEOUT_MS),
    STREAM_SHUTDOWN_TIMEOUT_MS: String(c.STREAM_SHUTDOWN_TIMEOUT_MS),
    STREAM_BULK_OPS_PER_COMMAND: String(c.STREAM_BULK_OPS_PER_COMMAND),
    METRICS_PORT: String(c.METRICS_PORT),
    STREAM_PARTITIONS_CONCURRENCY: String(c.STREAM_PARTITIONS_CONCURRENCY),
    STREAM_CHECKPOINT_INTERVAL_MS: String(c.STREAM_CHECKPOINT_INTERVAL_MS),
  };
}

/** Produces bars keyed by symbol; `perRequest` also bounds the record batches (and so the consumer's batches). */
export async function produceBars(
  producer: ProducerHandle,
  topic: string,
  bars: readonly Bar[],
  perRequest = 500,
): Promise<void> {
  for (let i = 0; i < bars.length; i += perRequest) {
    await producer.send(
      topic,
      bars.slice(i, i + perRequest).map((b) => ({ key: b.symbol, value: JSON.stringify(b), headers: { id: b.id } })),
    );
  }
}

/** Documents in the bar collections (collection metadata: cheap to poll, unlike a counting scan on FerretDB). */
export async function countBars(mongo: MongoHandle): Promise<number> {
  let n = 0;
  for (const name of BARS_COLLECTIONS) n += await mongo.db.collection(name).estimatedDocumentCount();
  return n;
}

/** Documents in bars_rollup (collection metadata, as countBars). */
export async function countRollups(mongo: MongoHandle): Promise<number> {
  return mongo.db.collection(COLLECTIONS.barsRollup).estimatedDocumentCount();
}

/** The first `count` messages of the dead-letter topic: headers, plus the payload as `value` (UTF-8). */
export async function readDeadLetters(env: TestEnv, count: number): Promise<Record<string, string>[]> {
  const dead: Record<string, string>[] = [];
  const consumer = await env.bus.consumer({ groupId: `${env.dbName}_dlq_reader` });
  await consumer.subscribe([env.deadLetterTopic]);
  await consumer.runBatches(async (batch, control) => {
    for (const m of batch.messages) {
      dead.push({ ...m.headers, value: m.value?.toString("utf8") ?? "" });
      control.resolveOffset(m.offset);
    }
  });
  try {
    await waitFor("dead letters read", async () => dead.length >= count);
  } finally {
    await consumer.stop();
    await consumer.disconnect();
  }
  return dead;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  pollMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Every bar document of the db (scraped and rollup) by _id, without processedTs (the only field a rewrite changes).
 * Rollup documents are keyed `rollup:<id>` (their ids may equal a scraped bar's).
 */
export async function snapshotBars(mongo: MongoHandle): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const name of [...BARS_COLLECTIONS, COLLECTIONS.barsRollup]) {
    const prefix = name === COLLECTIONS.barsRollup ? "rollup:" : "";
    for (const d of await mongo.db.collection(name).find({}).toArray()) {
      const { processedTs: _, ...rest } = d;
      out.set(`${prefix}${String(d._id)}`, rest);
    }
  }
  return out;
}

/**
 * Rollups the plain way, for tests: group a final source series (ts order) by window — 5m/1h on the UTC epoch, 1d by
 * UTC date (crypto) or trading date — keep the windows whose end (1d trading date: next day 12:00 UTC) is at or
 * before the last ts minus 2 source intervals, OHLC = first open/max high/min low/last close, volume = sum.
 */
export function plainRollupBars(source: readonly Bar[], target: Interval): Bar[] {
  const last = source[source.length - 1];
  if (!last) return [];
  const watermark = Date.parse(last.ts) - 2 * INTERVAL_MS[last.interval];
  const groups = new Map<number, { end: number; date: string; bars: Bar[] }>();
  for (const b of source) {
    const t = Date.parse(b.ts);
    let start: number;
    let end: number;
    let date = b.tradingDate;
    if (target === "1d" && b.assetClass === "crypto") {
      start = t - (t % 86_400_000);
      end = start + 86_400_000;
      date = new Date(start).toISOString().slice(0, 10);
    } else if (target === "1d") {
      start = Date.parse(`${b.tradingDate}T00:00:00Z`);
      end = start + 86_400_000 + 43_200_000;
    } else {
      start = t - (t % INTERVAL_MS[target]);
      end = start + INTERVAL_MS[target];
    }
    const g = groups.get(start) ?? { end, date, bars: [] };
    g.bars.push(b);
    groups.set(start, g);
  }
  const out: Bar[] = [];
  for (const [start, g] of [...groups].sort((a, b) => a[0] - b[0])) {
    if (g.end > watermark) continue;
    const ts = new Date(start).toISOString().replace(".000Z", "Z");
    const f = g.bars[0]!;
    out.push({
      ...f,
      id: `${f.symbol}|${target}|${ts}`,
      interval: target,
      ts,
      tradingDate: g.date,
      open: f.open,
      high: Math.max(...g.bars.map((b) => b.high)),
      low: Math.min(...g.bars.map((b) => b.low)),
      close: g.bars[g.bars.length - 1]!.close,
      adjClose: null,
      volume: g.bars.reduce((n, b) => n + b.volume, 0),
      source: "rollup",
      ingestTs: new Date(Math.max(...g.bars.map((b) => Date.parse(b.ingestTs)))).toISOString(),
      partial: false,
    });
  }
  return out;
}
