// Cross-asset series: yield-curve slopes, rolling correlations and betas, one document per (series, ts).
import { type AnyBulkWriteOperation, type Collection, MongoBulkWriteError } from "mongodb";
import type { BarSource, Interval } from "../domain/market.ts";
import { BULK_OPS_PER_COMMAND } from "./bars.ts";

export type CrossAssetKind = "slope" | "correlation" | "beta";

export interface CrossAssetDocument {
  /** `series|ts` (ISO). */
  _id: string;
  /** e.g. `slope:^TNX-^IRX|1d`, `correlation:BTC-USD/SPY|1d`, `beta:AAPL/SPY|1d`. */
  series: string;
  kind: CrossAssetKind;
  interval: Interval;
  a: string;
  b: string;
  ts: Date;
  /** null while the metric is not warm (never NaN). */
  value: number | null;
  /** Provenance of the inputs: `synthetic` when either input series is generated data. */
  source?: BarSource;
  processedTs: Date;
}

export function crossAssetSeries(kind: CrossAssetKind, a: string, b: string, interval: Interval): string {
  return `${kind}:${a}${kind === "slope" ? "-" : "/"}${b}|${interval}`;
}

/**
 * Writes the documents keyed by _id: inserted first, and only those already stored (E11000) replaced, as upsertBars
 * does on FerretDB (its upsert of a missing document scans the table: ~30 ms each at a few thousand documents).
 */
export async function upsertCrossAsset(
  collection: Collection<CrossAssetDocument>,
  docs: readonly CrossAssetDocument[],
): Promise<void> {
  let toReplace: readonly CrossAssetDocument[] = [];
  if (docs.length > 0) {
    try {
      await collection.insertMany([...docs], { ordered: false });
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      if (errors.some((e) => e.code !== 11000)) throw err;
      toReplace = errors.map((e) => docs[e.index]!);
    }
  }
  for (let i = 0; i < toReplace.length; i += BULK_OPS_PER_COMMAND) {
    const ops: AnyBulkWriteOperation<CrossAssetDocument>[] = toReplace.slice(i, i + BULK_OPS_PER_COMMAND).map((d) => ({
      replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true },
    }));
    await collection.bulkWrite(ops, { ordered: false });
  }
}
