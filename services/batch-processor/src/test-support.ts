// Helpers of the integration tests (not part of the service).
import { resolve } from "node:path";
import {
  type Bar,
  barPartitionKey,
  barPartitionOf,
  createObjectStore,
  type ObjectStore,
  s3ConfigFromEnv,
  writeBarsParquet,
} from "@quant/core";
import {
  type ChildScript,
  type PipelineTestEnv,
  spawnNodeScript,
  testConfig,
  testLogger,
  uniqueName,
} from "@quant/core/testing";

/** The stream processor's program (run, never imported: the batch processor depends on no other service). */
const STREAM_MAIN = resolve(import.meta.dirname, "../../stream-processor/src/main.ts");

/**
 * The stream processor as a child process on the test environment's topic and database (stop it with SIGTERM);
 * `overrides`: further variables (a checkpoint interval, a metrics port).
 */
export function startStreamProcess(env: PipelineTestEnv, overrides: Record<string, string> = {}): ChildScript {
  const cfg = testConfig();
  return spawnNodeScript(STREAM_MAIN, {
    ...process.env,
    LOG_LEVEL: "warn",
    KAFKA_BROKERS: cfg.KAFKA_BROKERS.join(","),
    MONGODB_URI: cfg.MONGODB_URI,
    MONGODB_DB: env.dbName,
    STREAM_GROUP_ID: `${env.dbName}_stream`,
    STREAM_TOPICS: env.topic,
    STREAM_DEAD_LETTER_TOPIC: env.deadLetterTopic,
    STREAM_CHECKPOINT_INTERVAL_MS: "0",
    // Any free port: other processors may run beside it.
    METRICS_PORT: "0",
    ...overrides,
  });
}

/** A fresh bucket on the native S3 server, with its removal (objects first). */
export async function createTestLake(name: string): Promise<{ store: ObjectStore; remove(): Promise<void> }> {
  const bucket = uniqueName(name).toLowerCase().replaceAll("_", "-");
  const store = createObjectStore(s3ConfigFromEnv({ ...testConfig(), S3_BUCKET: bucket }), testLogger);
  await store.ensureBucket();
  return {
    store,
    async remove() {
      const keys = await store.list("").catch(() => []);
      if (keys.length > 0) await store.client.removeObjects(bucket, keys);
      await store.client.removeBucket(bucket).catch(() => {});
    },
  };
}

/** Writes bars into the lake as the scraper would: one Parquet object per partition (symbol, interval, date). */
export async function writeLake(store: ObjectStore, bars: readonly Bar[]): Promise<void> {
  const partitions = new Map<string, Bar[]>();
  for (const b of bars) {
    const key = barPartitionKey(barPartitionOf(b));
    partitions.set(key, [...(partitions.get(key) ?? []), b]);
  }
  for (const [key, list] of partitions) await store.put(key, await writeBarsParquet(list));
}
