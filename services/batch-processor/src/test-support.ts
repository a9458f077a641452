// Helpers of the integration tests (not part of the service).
import { type Bar, barPartitionKey, barPartitionOf, type ObjectStore, writeBarsParquet } from "@quant/core";

/** Writes bars into the lake as the scraper would: one Parquet object per partition (symbol, interval, date). */
export async function writeLake(store: ObjectStore, bars: readonly Bar[]): Promise<void> {
  const partitions = new Map<string, Bar[]>();
  for (const b of bars) {
    const key = barPartitionKey(barPartitionOf(b));
    partitions.set(key, [...(partitions.get(key) ?? []), b]);
  }
  for (const [key, list] of partitions) await store.put(key, await writeBarsParquet(list));
}
