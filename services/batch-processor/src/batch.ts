// `batch`: recompute a date range from the lake and upsert it with the stream's upsertBars (same ids, same values:
// a second run rewrites identical documents).
import {
  type BarDocument,
  barsCollection,
  candlesCollection,
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
  writeCandles,
} from "@quant/core";
import { type CandleRules, DEFAULT_CANDLE_RULES } from "@quant/trades";
import type { RangeRequest } from "./args.ts";
import { computeRange, storedConflicts } from "./compute.ts";
import type { Progress } from "./progress.ts";
import { computeTradeRange } from "./trades.ts";

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
  /** Symbols recomputed from the trade lake, their enriched 1m bars (in documents), and candles written (new or changed). */
  tradeSeries: number;
  tradeBars: number;
  candles: number;
}

/** What batch and reconcile work with. */
export interface RangeDeps {
  store: ObjectStore;
  mongo: MongoHandle;
  logger: Logger;
  progress?: (total: number) => Progress;
  /** The candle aggregator's rules (TRADES_WIDTHS, …); default: their defaults. */
  rules?: CandleRules;
}

const CHUNK = 1_000;

export async function runBatch(req: RangeRequest, deps: RangeDeps): Promise<BatchSummary> {
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
    tradeSeries: 0,
    tradeBars: 0,
    candles: 0,
  };
  const write = async (coll: ReturnType<typeof rollupCollection>, docs: readonly BarDocument[]) => {
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
  };
  for await (const r of computeRange(deps.store, req, { ...deps, conflicts: storedConflicts(deps.mongo.db) })) {
    summary.series++;
    summary.rejected += r.rejected;
    await write(barsCollection(deps.mongo.db, r.series.interval), r.docs);
    await write(rollupCollection(deps.mongo.db), r.rollups);
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
  for await (const t of computeTradeRange(deps.store, req, { ...deps, rules: deps.rules ?? DEFAULT_CANDLE_RULES })) {
    summary.tradeSeries++;
    const w = await writeCandles(candlesCollection(deps.mongo.db), t.candles);
    summary.candles += w.inserted + w.replaced;
    await write(barsCollection(deps.mongo.db, "1m"), t.bars);
    summary.tradeBars += t.bars.length;
    await write(rollupCollection(deps.mongo.db), t.rollups);
    summary.rollups += t.rollups.length;
  }
  return summary;
}
