// Indicator checkpoints: the BarIndicators state of one (symbol, interval) series after the last bar written,
// so that a restart or a rebalance resumes SMA200 & co. instead of resetting them.
import type { BarIndicatorsState } from "@quant/indicators";
import type { Collection } from "mongodb";
import type { AssetClass, Interval } from "../domain/market.ts";
import { type BarContent, replaceById } from "./bars.ts";

export interface CheckpointDocument {
  /** `SYMBOL|interval`. */
  _id: string;
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
  /** ts of the last bar folded into `state`. */
  lastTs: Date;
  /** The last bar's content: a re-sent last bar is a duplicate, a changed one goes through replace(). */
  lastBar: BarContent;
  /** BarIndicators.toJSON() as a JSON string: the state holds nulls for NaN and arrays FerretDB need not inspect. */
  state: string;
  /**
   * Set before a late bar's recompute starts and cleared by the checkpoint written after it: a process that
   * finds it set (it crashed in between) rebuilds the series from MongoDB history instead of trusting `state`.
   */
  dirtyFrom: Date | null;
  /**
   * The rollup state of a rollup source series (open windows and each rollup series' BarIndicators) as a JSON
   * string, written with `state` so that both restart from the same point; absent/null for series without rollups.
   */
  rollup?: string | null;
  /**
   * The series' QualityChecker state (@quant/quality) as a JSON string, written with `state`; a checkpoint without it
   * (from before the quality checks) is rebuilt from history like a lost one.
   */
  quality?: string | null;
  updatedAt: Date;
}

export function seriesKey(symbol: string, interval: Interval): string {
  return `${symbol}|${interval}`;
}

export function parseCheckpointState(doc: CheckpointDocument): BarIndicatorsState {
  return JSON.parse(doc.state) as BarIndicatorsState;
}

export async function loadCheckpoints(
  collection: Collection<CheckpointDocument>,
  keys: readonly string[],
): Promise<Map<string, CheckpointDocument>> {
  const out = new Map<string, CheckpointDocument>();
  if (keys.length === 0) return out;
  for (const d of await collection.find({ _id: { $in: [...keys] } }).toArray()) out.set(d._id, d);
  return out;
}

/** Unordered bulk upserts of checkpoints keyed by _id. */
export async function saveCheckpoints(
  collection: Collection<CheckpointDocument>,
  docs: readonly CheckpointDocument[],
): Promise<void> {
  await replaceById(collection, docs);
}

/** Marks a series dirty (a recompute from `from` is about to rewrite documents). */
export async function markCheckpointDirty(
  collection: Collection<CheckpointDocument>,
  key: string,
  from: Date,
): Promise<void> {
  await collection.updateOne({ _id: key }, { $set: { dirtyFrom: from } });
}
