// Helpers of the integration tests (not part of the service).
import {
  type Bar,
  barPartitionKey,
  barPartitionOf,
  createObjectStore,
  type ObjectStore,
  s3ConfigFromEnv,
  writeBarsParquet,
} from "@quant/core";
import { testConfig, testLogger, uniqueName } from "@quant/core/testing";

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
