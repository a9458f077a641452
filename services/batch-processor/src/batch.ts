// `batch`: recompute a date range from the lake and upsert it with the stream's upsertBars (same ids, same values:
// a second run rewrites identical documents).
import {
  barsCollection,
  changedQualityRows,
  documentsToWrite,
  ensureIndexes,
  type Logger,
  type MongoHandle,
  type ObjectStore,
  qualityCollection,
  recordLatestBars,
  rollupCollection,
  upsertBars,
  upsertById,
} from "@quant/core";
import type { RangeRequest } from "./args.ts";
import { computeRange, storedConflicts } from "./compute.ts";
import type { Progress } from "./progress.ts";

export interface BatchSummary {
  series: number;
  documents: number;
  /** Rollup documents written to bars_rollup (included in documents/inserted). */
  rollups: number;
  inserted: number;
  /** Documents already stored with the same content (not rewritten). */
  unchanged: number;
  rejected: number;
  /** Rows of the quality collection computed (written where they differ from the stored ones). */
  qualityDays: number;
}

const CHUNK = 1_000;

export async function runBatch(
  req: RangeRequest,
  deps: { store: ObjectStore; mongo: MongoHandle; logger: Logger; progress?: (total: number) => Progress },
): Promise<BatchSummary> {
  await ensureIndexes(deps.mongo.db);
  // FerretDB: insert first (its upsert-insert path scans the collection), see UpsertOptions.
  const insertFirst = (await deps.mongo.health()).ferretdb;
  const summary: BatchSummary = {
    series: 0,
    documents: 0,
    rollups: 0,
    inserted: 0,
    unchanged: 0,
    rejected: 0,
    qualityDays: 0,
  };
  for await (const r of computeRange(deps.store, req, { ...deps, conflicts: storedConflicts(deps.mongo.db) })) {
    summary.series++;
    summary.rejected += r.rejected;
    for (const [coll, docs] of [
      [barsCollection(deps.mongo.db, r.series.interval), r.docs],
      [rollupCollection(deps.mongo.db), r.rollups],
    ] as const) {
      for (let i = 0; i < docs.length; i += CHUNK) {
        const chunk = docs.slice(i, i + CHUNK);
        // A re-run leaves identical documents alone: FerretDB 1.24 rewrites an existing document at ~20/s (the
        // update scans the table), while the _id look-up is one indexed query per chunk.
        const stored = await coll.find({ _id: { $in: chunk.map((c) => c._id) } }).toArray();
        const { missing, differing, unchanged } = documentsToWrite(chunk, stored);
        summary.unchanged += unchanged;
        const res = await upsertBars(coll, [...missing, ...differing], { insertFirst });
        summary.inserted += res.upserted;
      }
      summary.documents += docs.length;
    }
    summary.rollups += r.rollups.length;
    const rows = qualityCollection(deps.mongo.db);
    const storedRows = await rows
      .find({ symbol: r.series.symbol, interval: r.series.interval, tradingDate: { $gte: r.from, $lte: r.to } })
      .toArray();
    // Mostly new rows (a first batch over a range): inserted first, see upsertById.
    await upsertById(rows, changedQualityRows(r.qualityDays, storedRows), { insertFirst: true });
    summary.qualityDays += r.qualityDays.length;
    // Never moves a series' latest bar back (a range in the past): see recordLatestBars.
    await recordLatestBars(deps.mongo.db, [...r.docs, ...r.rollups]);
  }
  return summary;
}
