// The lake as series: which (asset, interval, symbol) series have partitions, and all bars of one series from its
// origin up to a date (the batch path starts every series at its origin, as the stream did).
import {
  type Bar,
  type BarPartition,
  LAKE_RAW_PREFIX,
  type ObjectStore,
  parseBarPartitionKey,
  readBarsParquet,
} from "@quant/core";
import pLimit from "p-limit";
import type { RangeRequest } from "./args.ts";

export interface LakeSeries {
  assetClass: Bar["assetClass"];
  interval: Bar["interval"];
  symbol: string;
  /** Partition keys in date order. */
  partitions: { key: string; date: string }[];
}

export async function listLakeSeries(store: ObjectStore, req: RangeRequest): Promise<LakeSeries[]> {
  const out = new Map<string, LakeSeries>();
  for (const assetClass of req.assetClasses) {
    for (const key of await store.list(`${LAKE_RAW_PREFIX}/asset=${assetClass}/`)) {
      let p: BarPartition;
      try {
        p = parseBarPartitionKey(key);
      } catch {
        continue; // not a bars object (e.g. a temporary upload)
      }
      if (req.intervals && !req.intervals.includes(p.interval)) continue;
      if (req.symbols && !req.symbols.includes(p.symbol)) continue;
      if (p.date > req.to) continue;
      const id = `${p.assetClass}|${p.interval}|${p.symbol}`;
      let s = out.get(id);
      if (!s) out.set(id, (s = { assetClass: p.assetClass, interval: p.interval, symbol: p.symbol, partitions: [] }));
      s.partitions.push({ key, date: p.date });
    }
  }
  const series = [...out.values()].filter((s) => s.partitions.some((p) => p.date >= req.from));
  for (const s of series) s.partitions.sort((a, b) => a.date.localeCompare(b.date));
  return series.sort((a, b) => `${a.interval}|${a.symbol}`.localeCompare(`${b.interval}|${b.symbol}`));
}

/** Partitions read at once: a daily series over years is thousands of small objects. */
const READ_CONCURRENCY = 8;

/** A lake row refused at the border (schema, identity, partition, plausibility): where, and why. */
export interface RefusedRow {
  key: string;
  id: string;
  kind: string;
  reason: string;
}

/**
 * Every bar of the series from its first partition up to `to`, in partition order, each through the border's gate
 * (readBarsParquet with the partition: a row naming another series or an impossible price is refused, counted, and
 * written nowhere).
 */
export async function readSeriesBars(
  store: ObjectStore,
  s: LakeSeries,
): Promise<{ bars: Bar[]; refused: RefusedRow[] }> {
  const limit = pLimit(READ_CONCURRENCY);
  const reads = await Promise.all(
    s.partitions.map((p) =>
      limit(async () => {
        const partition = { assetClass: s.assetClass, interval: s.interval, symbol: s.symbol, date: p.date };
        return { key: p.key, read: await readBarsParquet(await store.get(p.key), partition) };
      }),
    ),
  );
  const bars: Bar[] = [];
  const refused: RefusedRow[] = [];
  for (const { key, read } of reads) {
    for (const b of read.bars) bars.push(b);
    for (const r of read.rejected) refused.push({ key, id: r.id, kind: r.kind, reason: r.reason });
  }
  return { bars, refused };
}
