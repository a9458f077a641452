// The newest document of every bar series and the extent of every cross-asset series, kept by the writers in two
// small collections. Readers that need "the latest bar of each series" or "which series exist" read a few dozen
// documents here instead of one query per series over the bar collections: on FerretDB 1.24 (SQLite) each of those is
// a full scan of the collection (docs/serving.md), so /api/symbols took seconds. The API also watches these
// documents to know when a series changed (new bar, rewrite after a late bar) instead of polling every series.
import type { AnyBulkWriteOperation, Collection, Db } from "mongodb";
import type { BarSource, Interval } from "../domain/market.ts";
import { type BarDocument, BULK_OPS_PER_COMMAND, replaceById } from "./bars.ts";
import type { CrossAssetKind } from "./cross-asset.ts";
import { COLLECTIONS } from "./layout.ts";
import { latestBarsCursor } from "./queries.ts";

/** Scraped bars (bars_intraday / bars_daily) or bars the stream processor rolled up (bars_rollup). */
export type SeriesKind = "scraped" | "rollup";

export interface LatestBarDocument extends Omit<BarDocument, "_id"> {
  /** `SYMBOL|interval|kind`. */
  _id: string;
  kind: SeriesKind;
  /** The bar's own id. */
  barId: string;
}

export interface CrossAssetSeriesDocument {
  /** The series name, e.g. `slope:^TNX-^IRX|1d`. */
  _id: string;
  kind: CrossAssetKind;
  interval: Interval;
  a: string;
  b: string;
  /** First and last point written (over every run). */
  from: Date;
  to: Date;
  /** `synthetic` when an input series is generated data, else the inputs' provenance. */
  source: BarSource;
  processedTs: Date;
}

export function latestBarsCollection(db: Db): Collection<LatestBarDocument> {
  return db.collection<LatestBarDocument>(COLLECTIONS.latestBars);
}

export function crossAssetSeriesCollection(db: Db): Collection<CrossAssetSeriesDocument> {
  return db.collection<CrossAssetSeriesDocument>(COLLECTIONS.crossAssetSeries);
}

export function seriesKindOf(d: Pick<BarDocument, "source">): SeriesKind {
  return d.source === "rollup" ? "rollup" : "scraped";
}

export function latestBarKey(symbol: string, interval: Interval, kind: SeriesKind): string {
  return `${symbol}|${interval}|${kind}`;
}

/**
 * Records the newest of these documents per series as its latest bar, unless a newer one is stored: a batch
 * recomputing an old range never moves a series' latest bar back. The same ts replaces the stored one (a rewrite:
 * final over partial, or metrics recomputed after a late bar; processedTs then tells readers the series changed).
 * Returns how many series were recorded (older ones are left out).
 */
export async function recordLatestBars(db: Db, docs: readonly BarDocument[]): Promise<number> {
  const newest = new Map<string, BarDocument>();
  for (const d of docs) {
    const key = latestBarKey(d.symbol, d.interval, seriesKindOf(d));
    const cur = newest.get(key);
    if (!cur || d.ts.getTime() >= cur.ts.getTime()) newest.set(key, d);
  }
  const coll = latestBarsCollection(db);
  // Compared with what is stored first: FerretDB 1.24 ends an unordered bulk write at its first error, so an upsert
  // that would hit a newer stored bar (E11000) must not be sent. The ts condition stays in the filter, so a writer
  // that moved the series on meanwhile is not overwritten (the replace then matches nothing).
  const stored = new Map(
    (await coll.find({ _id: { $in: [...newest.keys()] } }, { projection: { ts: 1 } }).toArray()).map((d) => [
      d._id,
      d.ts,
    ]),
  );
  const ops: AnyBulkWriteOperation<LatestBarDocument>[] = [];
  for (const [key, d] of newest) {
    const have = stored.get(key);
    if (have && have.getTime() > d.ts.getTime()) continue;
    const { _id, ...rest } = d;
    ops.push({
      replaceOne: {
        filter: have ? { _id: key, ts: { $lte: d.ts } } : { _id: key },
        replacement: { ...rest, kind: seriesKindOf(d), barId: _id },
        upsert: !have,
      },
    });
  }
  for (let i = 0; i < ops.length; i += BULK_OPS_PER_COMMAND)
    await coll.bulkWrite(ops.slice(i, i + BULK_OPS_PER_COMMAND), { ordered: false });
  return ops.length;
}

/** Every series' latest bar (a few dozen documents). */
export function readLatestBars(db: Db): Promise<LatestBarDocument[]> {
  return latestBarsCursor(db).toArray();
}

/** Every cross-asset series' extent (one document per series). */
export function readCrossAssetSeries(db: Db): Promise<CrossAssetSeriesDocument[]> {
  return crossAssetSeriesCollection(db).find({}).sort({ _id: 1 }).toArray();
}

export async function recordCrossAssetSeries(db: Db, docs: readonly CrossAssetSeriesDocument[]): Promise<void> {
  await replaceById(crossAssetSeriesCollection(db), docs);
}
