// `batch`: recompute a date range from the lake and upsert it with the stream's upsertBars (same ids, same values:
// a second run rewrites identical documents).
import {
  barsCollection,
  ensureIndexes,
  type Logger,
  type MongoHandle,
  type ObjectStore,
  upsertBars,
} from "@quant/core";
import type { RangeRequest } from "./args.ts";
import { computeRange } from "./compute.ts";
import type { Progress } from "./progress.ts";

export interface BatchSummary {
  series: number;
  documents: number;
  inserted: number;
  rejected: number;
}

const CHUNK = 1_000;

export async function runBatch(
  req: RangeRequest,
  deps: { store: ObjectStore; mongo: MongoHandle; logger: Logger; progress?: (total: number) => Progress },
): Promise<BatchSummary> {
  await ensureIndexes(deps.mongo.db);
  // FerretDB: insert first (its upsert-insert path scans the collection), see UpsertOptions.
  const insertFirst = (await deps.mongo.health()).ferretdb;
  const summary: BatchSummary = { series: 0, documents: 0, inserted: 0, rejected: 0 };
  for await (const r of computeRange(deps.store, req, deps)) {
    summary.series++;
    summary.rejected += r.rejected;
    const coll = barsCollection(deps.mongo.db, r.series.interval);
    for (let i = 0; i < r.docs.length; i += CHUNK) {
      const res = await upsertBars(coll, r.docs.slice(i, i + CHUNK), { insertFirst });
      summary.inserted += res.upserted;
    }
    summary.documents += r.docs.length;
  }
  return summary;
}
