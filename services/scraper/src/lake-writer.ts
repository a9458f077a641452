// Writes bars to the Parquet lake, one object per (asset, interval, symbol, trading date) partition.
// Keys are deterministic, so a re-run overwrites; an existing partition is read and merged by ts first
// (newest ingest wins), so a partial re-run never loses bars.
import {
  type Bar,
  barPartitionKey,
  barPartitionOf,
  type CorporateEvent,
  eventsKey,
  mergeBars,
  mergeEvents,
  type ObjectStore,
  readBarsParquet,
  readEventsParquet,
  writeBarsParquet,
  writeEventsParquet,
} from "@quant/core";
import pLimit from "p-limit";

/** Partitions written at once: a daily series over years is thousands of small objects, each a round trip or two. */
export const LAKE_WRITE_CONCURRENCY = 8;

export interface LakeWriteResult {
  objects: string[];
  /** Partitions that existed and were merged. */
  merged: number;
  rows: number;
  /** Rows of existing partitions refused by the border's gate (another series' row, an impossible price): dropped. */
  refusedRows: number;
}

async function readIfExists<T>(store: ObjectStore, key: string, read: (b: Buffer) => Promise<T>, none: T): Promise<T> {
  if (!(await store.exists(key))) return none;
  return read(await store.get(key));
}

export async function writeBarsToLake(store: ObjectStore, bars: readonly Bar[]): Promise<LakeWriteResult> {
  const partitions = new Map<string, Bar[]>();
  for (const b of bars) {
    const key = barPartitionKey(barPartitionOf(b));
    let list = partitions.get(key);
    if (!list) partitions.set(key, (list = []));
    list.push(b);
  }
  const result: LakeWriteResult = { objects: [], merged: 0, rows: 0, refusedRows: 0 };
  const limit = pLimit(LAKE_WRITE_CONCURRENCY);
  await Promise.all(
    [...partitions].map(([key, incoming]) =>
      limit(async () => {
        const partition = barPartitionOf(incoming[0]!);
        const existing = await readIfExists(store, key, (b) => readBarsParquet(b, partition), {
          bars: [],
          rejected: [],
        });
        if (existing.bars.length + existing.rejected.length > 0) result.merged++;
        result.refusedRows += existing.rejected.length;
        const merged = mergeBars(existing.bars, incoming);
        await store.put(key, await writeBarsParquet(merged), { "content-type": "application/vnd.apache.parquet" });
        result.rows += merged.length;
      }),
    ),
  );
  // In partition order (the keys sort by date within a series).
  result.objects.push(...partitions.keys());
  return result;
}

export async function writeEventsToLake(store: ObjectStore, events: readonly CorporateEvent[]): Promise<string[]> {
  const bySymbol = new Map<string, CorporateEvent[]>();
  for (const e of events) {
    const key = eventsKey(e.assetClass, e.symbol);
    bySymbol.set(key, [...(bySymbol.get(key) ?? []), e]);
  }
  for (const [key, incoming] of bySymbol) {
    const merged = mergeEvents(await readIfExists(store, key, readEventsParquet, []), incoming);
    await store.put(key, await writeEventsParquet(merged), { "content-type": "application/vnd.apache.parquet" });
  }
  return [...bySymbol.keys()];
}
