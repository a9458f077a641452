// The enriched bar document: the bar v1 fields, every metric of BAR_METRIC_FIELDS (null until warm, never NaN),
// per-metric warm flags and provenance. One shape for the stream, the batch path and the API.
import {
  BAR_METRIC_FIELDS,
  type BarMetricField,
  type BarMetrics,
  type BarWarm,
  type Bar as IndicatorBar,
} from "@quant/indicators";
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Filter,
  MongoBulkWriteError,
  type OptionalUnlessRequiredId,
} from "mongodb";
import type { Bar } from "../domain/bar.ts";
import type { AssetClass, BarSource, Interval } from "../domain/market.ts";
import type { BarQuality } from "../domain/quality.ts";
import { isoUtc } from "../domain/time.ts";

export type BarDocumentMetrics = { [K in BarMetricField]: number | null };

export interface BarDocument extends BarDocumentMetrics {
  /** The bar id `SYMBOL|interval|ts`. */
  _id: string;
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
  /** Bar-open time (BSON Date). */
  ts: Date;
  tradingDate: string;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose: number | null;
  volume: number;
  currency: string;
  exchange: string;
  partial: boolean;
  /** Per metric: true once past its lookback (the value is then a number). */
  warm: BarWarm;
  /** What the data-quality checks found (@quant/quality; docs/quality.md); null on rollups, which are not checked. */
  quality: BarQuality | null;
  /** Provenance: where the bar came from (`rollup` for bars built from smaller ones). */
  source: BarSource;
  /** When the pipeline first saw the bar. */
  ingestTs: Date;
  /** When this document was computed (changes on every rewrite; left out of content comparisons). */
  processedTs: Date;
}

const finiteOrNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** A bar as the indicators take it (ts as epoch ms). */
export function indicatorBar(b: Bar): IndicatorBar {
  return { ts: Date.parse(b.ts), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
}

/**
 * Builds the document of a bar from the metric values and warm flags right after update()/replace(), and the quality
 * checks' findings (null where the bar is not checked: rollups).
 */
export function toBarDocument(
  bar: Bar,
  values: BarMetrics,
  warm: BarWarm,
  processedTs: Date,
  quality: BarQuality | null = null,
): BarDocument {
  const metrics = {} as BarDocumentMetrics;
  const warmCopy = {} as BarWarm;
  for (const f of BAR_METRIC_FIELDS) {
    const v = finiteOrNull(values[f]);
    metrics[f] = v;
    // A non-finite value (never expected) is stored as null and flagged cold, so a flag never lies.
    warmCopy[f] = warm[f] && v !== null;
  }
  return {
    _id: bar.id,
    symbol: bar.symbol,
    assetClass: bar.assetClass,
    interval: bar.interval,
    ts: new Date(bar.ts),
    tradingDate: bar.tradingDate,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    adjClose: bar.adjClose,
    volume: bar.volume,
    currency: bar.currency,
    exchange: bar.exchange,
    partial: bar.partial,
    ...metrics,
    warm: warmCopy,
    quality,
    source: bar.source,
    ingestTs: new Date(bar.ingestTs),
    processedTs,
  };
}

/** The market content of a bar (what a duplicate must repeat exactly); provenance and metrics excluded. */
export type BarContent = Pick<BarDocument, "open" | "high" | "low" | "close" | "adjClose" | "volume" | "partial">;

export function barContent(b: BarContent): BarContent {
  return {
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    adjClose: b.adjClose ?? null,
    volume: b.volume,
    partial: b.partial,
  };
}

export function sameBarContent(a: BarContent, b: BarContent): boolean {
  return (
    a.open === b.open &&
    a.high === b.high &&
    a.low === b.low &&
    a.close === b.close &&
    (a.adjClose ?? null) === (b.adjClose ?? null) &&
    a.volume === b.volume &&
    a.partial === b.partial
  );
}

/** Recovers the bar v1 of a stored document (for rebuilding a series from MongoDB history). */
export function barOfDocument(d: BarDocument): Bar {
  return {
    v: 1,
    id: d._id,
    symbol: d.symbol,
    assetClass: d.assetClass,
    interval: d.interval,
    ts: isoUtc(d.ts.getTime()),
    tradingDate: d.tradingDate,
    open: d.open,
    high: d.high,
    low: d.low,
    close: d.close,
    adjClose: d.adjClose,
    volume: d.volume,
    currency: d.currency,
    exchange: d.exchange,
    source: d.source,
    ingestTs: d.ingestTs.toISOString(),
    partial: d.partial,
  };
}

/**
 * Fields compared by reconcile, the "unchanged document" rule and the replay tests: everything but processedTs and
 * ingestTs (provenance times: when, not what).
 */
export const BAR_COMPARED_FIELDS = [
  "symbol",
  "assetClass",
  "interval",
  "ts",
  "tradingDate",
  "open",
  "high",
  "low",
  "close",
  "adjClose",
  "volume",
  "partial",
  "source",
  ...BAR_METRIC_FIELDS,
] as const;

/** One field where a stored document and a recomputed one differ: a field name, or `warm.<metric>`. */
export interface BarFieldDifference {
  field: string;
  stored: unknown;
  computed: unknown;
}

const comparable = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

/** The `fields` where two documents differ: dates compared as ISO strings, an absent field as null, by Object.is. */
export function fieldDifferences<T>(
  fields: readonly (keyof T & string)[],
  stored: T,
  computed: T,
): BarFieldDifference[] {
  const out: BarFieldDifference[] = [];
  for (const f of fields) {
    const a = comparable(stored[f]);
    const b = comparable(computed[f]);
    if (!Object.is(a, b)) out.push({ field: f, stored: a, computed: b });
  }
  return out;
}

/** Every field of BAR_COMPARED_FIELDS and every warm flag where the two documents differ (provenance excluded). */
export function barDocumentDifferences(stored: BarDocument, computed: BarDocument): BarFieldDifference[] {
  const out = fieldDifferences(BAR_COMPARED_FIELDS, stored, computed);
  for (const f of BAR_METRIC_FIELDS) {
    const a = stored.warm?.[f] ?? null;
    const b = computed.warm[f];
    if (a !== b) out.push({ field: `warm.${f}`, stored: a, computed: b });
  }
  // The quality checks' findings (flags in a fixed order, so equal findings serialise equally).
  const qa = stored.quality ?? null;
  const qb = computed.quality ?? null;
  if (JSON.stringify(qa) !== JSON.stringify(qb)) out.push({ field: "quality", stored: qa, computed: qb });
  return out;
}

/** The "unchanged document" rule, written once: equal in every compared field and warm flag. */
export function sameBarDocument(stored: BarDocument, computed: BarDocument): boolean {
  return barDocumentDifferences(stored, computed).length === 0;
}

/**
 * What a recomputation must write (the stream's rebuilds and late bars, the batch): the documents missing from
 * `stored`, and those that differ from their stored form. A document equal to its stored form needs no write (the
 * computation is deterministic; a rewrite would change only processedTs, at ~0.4 s per document on FerretDB 1.24).
 */
export function documentsToWrite(
  computed: readonly BarDocument[],
  stored: Iterable<BarDocument>,
): { missing: BarDocument[]; differing: BarDocument[]; unchanged: number } {
  const byId = new Map<string, BarDocument>();
  for (const d of stored) byId.set(d._id, d);
  const missing: BarDocument[] = [];
  const differing: BarDocument[] = [];
  for (const d of computed) {
    const old = byId.get(d._id);
    if (!old) missing.push(d);
    else if (!sameBarDocument(old, d)) differing.push(d);
  }
  return { missing, differing, unchanged: computed.length - missing.length - differing.length };
}

/**
 * FerretDB 1.24 (SQLite) leaks one pooled connection per update statement that matches an existing document until
 * the command ends; past ~100 in one command (or across concurrent commands) it deadlocks for good. Updates are
 * therefore sent as unordered bulkWrites of at most this many statements; MongoDB callers may pass a larger chunk.
 */
export const BULK_OPS_PER_COMMAND = 32;

/** The per-document errors of a bulk write (the driver gives one error bare, several as a list). */
export const writeErrorsOf = (err: MongoBulkWriteError) =>
  Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];

/**
 * Inserts the documents (one unordered insertMany) and returns those already stored (E11000), for replaceById:
 * FerretDB 1.24 answers an upsert that matches nothing with a table scan (~30 ms per document at 3,000 documents,
 * growing) but inserts in ~0.1 ms, so new documents take the insert and only the existing ones a replaceOne.
 */
export async function insertNew<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
): Promise<{ inserted: number; existing: T[] }> {
  if (docs.length === 0) return { inserted: 0, existing: [] };
  try {
    // (T has its _id: the driver's OptionalUnlessRequiredId<T> is T itself, which TypeScript cannot see generically)
    const r = await collection.insertMany([...docs] as OptionalUnlessRequiredId<T>[], { ordered: false });
    return { inserted: r.insertedCount, existing: [] };
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const errors = writeErrorsOf(err);
    if (errors.some((e) => e.code !== 11000)) throw err;
    return { inserted: err.result.insertedCount, existing: errors.map((e) => docs[e.index]!) };
  }
}

export interface UpsertOptions {
  /** Statements per bulkWrite command (default BULK_OPS_PER_COMMAND). */
  opsPerCommand?: number;
  /**
   * Insert first, replace what already exists (insertNew): new bars (the common case) take the insert, and only
   * duplicates (E11000) go through replaceOne. Same final documents as the plain upsert.
   */
  insertFirst?: boolean;
}

/**
 * Writes documents as unordered bulkWrites of replaceOne upserts keyed by _id: a replay writes the same documents
 * again (idempotent), and the unique (symbol, interval, ts) index keeps one document per bar. Chunks are
 * independent: a crash between two leaves documents that a replay rewrites identically.
 */
export async function upsertBars(
  collection: Collection<BarDocument>,
  docs: readonly BarDocument[],
  opts: UpsertOptions = {},
): Promise<{ upserted: number; matched: number }> {
  return upsertById(collection, docs, opts);
}

/** upsertBars for any document keyed by _id (cross-asset points too): insert-first when asked, then replaceById. */
export async function upsertById<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
  opts: UpsertOptions = {},
): Promise<{ upserted: number; matched: number }> {
  const result = { upserted: 0, matched: 0 };
  let toReplace = docs;
  if (opts.insertFirst) {
    const { inserted, existing } = await insertNew(collection, docs);
    result.upserted += inserted;
    toReplace = existing;
  }
  const replaced = await replaceById(collection, toReplace, opts.opsPerCommand);
  result.upserted += replaced.upserted;
  result.matched += replaced.matched;
  return result;
}

/**
 * The store's write, written once: unordered bulkWrites of replaceOne upserts keyed by _id, at most `opsPerCommand`
 * statements each (FerretDB 1.24, see BULK_OPS_PER_COMMAND). Bar documents, checkpoints and cross-asset points go
 * through it.
 */
export async function replaceById<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
  opsPerCommand = BULK_OPS_PER_COMMAND,
): Promise<{ upserted: number; matched: number }> {
  const result = { upserted: 0, matched: 0 };
  for (let i = 0; i < docs.length; i += opsPerCommand) {
    // The generic T hides that { _id } is a filter of T: the cast states it.
    const ops = docs.slice(i, i + opsPerCommand).map((d) => ({
      replaceOne: { filter: { _id: d._id } as Filter<T>, replacement: d, upsert: true },
    })) as AnyBulkWriteOperation<T>[];
    const r = await collection.bulkWrite(ops, { ordered: false });
    result.upserted += r.upsertedCount;
    result.matched += r.matchedCount;
  }
  return result;
}
