// Helpers of the integration tests (not part of the service): unique topics, producing bars, waiting for MongoDB,
// and a comparable snapshot of the bar collections.
import {
  BARS_COLLECTIONS,
  type Bar,
  connectMongo,
  createKafkaBus,
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

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every bar document of the db by _id, without processedTs (the only field a rewrite changes). */
export async function snapshotBars(mongo: MongoHandle): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const name of BARS_COLLECTIONS) {
    for (const d of await mongo.db.collection(name).find({}).toArray()) {
      const { processedTs: _, ...rest } = d;
      out.set(String(d._id), rest);
    }
  }
  return out;
}
