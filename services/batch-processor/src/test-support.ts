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
import type { RangeRequest } from "./args.ts";

/** The programs of other services (run, never imported: the batch processor depends on no other service). */
const STREAM_MAIN = resolve(import.meta.dirname, "../../stream-processor/src/main.ts");
const AGGREGATOR_MAIN = resolve(import.meta.dirname, "../../trade-aggregator/src/main.ts");
const ARCHIVER_MAIN = resolve(import.meta.dirname, "../../trade-archiver/src/main.ts");

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

/**
 * The trade services as child processes: the candle aggregator (trades -> candles, its 1m bars onto the environment's
 * bar topic, which the stream processor consumes) and the archiver (trades -> the lake in `bucket`, flushing often).
 */
export function startTradeProcesses(
  env: PipelineTestEnv,
  opts: { tradesTopic: string; bucket: string },
): { aggregator: ChildScript; archiver: ChildScript } {
  const cfg = testConfig();
  const common = {
    ...process.env,
    LOG_LEVEL: "warn",
    KAFKA_BROKERS: cfg.KAFKA_BROKERS.join(","),
    TRADES_TOPIC: opts.tradesTopic,
    METRICS_PORT: "0",
  };
  return {
    aggregator: spawnNodeScript(AGGREGATOR_MAIN, {
      ...common,
      MONGODB_URI: cfg.MONGODB_URI,
      MONGODB_DB: env.dbName,
      TRADES_GROUP_ID: `${env.dbName}_candles`,
      TRADES_BAR_TOPIC: env.topic,
      TRADES_DEAD_LETTER_TOPIC: env.deadLetterTopic,
      TRADES_CHECKPOINT_INTERVAL_MS: "500",
    }),
    archiver: spawnNodeScript(ARCHIVER_MAIN, {
      ...common,
      S3_ENDPOINT: cfg.S3_ENDPOINT,
      S3_ACCESS_KEY: cfg.S3_ACCESS_KEY,
      S3_SECRET_KEY: cfg.S3_SECRET_KEY,
      S3_BUCKET: opts.bucket,
      ARCHIVER_GROUP_ID: `${env.dbName}_lake`,
      ARCHIVER_FLUSH_MS: "500",
    }),
  };
}

/** A batch/reconcile request over the dates from..to: every asset class, symbol and interval unless `only` narrows it. */
export function rangeRequest(from: string, to: string, only: Partial<RangeRequest> = {}): RangeRequest {
  return {
    from,
    to,
    assetClasses: ["equity", "crypto", "bond"],
    symbols: null,
    intervals: null,
    json: null,
    tradingDayBefore: null,
    ...only,
  };
}
