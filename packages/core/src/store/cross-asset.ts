// Cross-asset series: yield-curve slopes, rolling correlations and betas, one document per (series, ts).
import type { Collection } from "mongodb";
import type { BarSource, Interval } from "../domain/market.ts";
import { upsertById } from "./bars.ts";

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

/** Writes the documents keyed by _id: inserted first, and only those already stored replaced (upsertById). */
export async function upsertCrossAsset(
  collection: Collection<CrossAssetDocument>,
  docs: readonly CrossAssetDocument[],
): Promise<void> {
  await upsertById(collection, docs, { insertFirst: true });
}
