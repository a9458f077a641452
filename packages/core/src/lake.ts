// The Parquet lake: object key layout and Parquet schemas of raw bars and corporate events, in one place,
// so that the scraper (writer) and the batch processor (reader) share them.
//
//   raw/asset=<equity|crypto|bond>/interval=<1m|5m|1d>/symbol=<SYM>/date=<YYYY-MM-DD>/bars.parquet
//   events/asset=<equity|crypto|bond>/symbol=<SYM>/events.parquet
//
// `date` is the bar's trading date (exchange time zone). Symbols are percent-encoded (encodeURIComponent),
// as Hive does for partition values: ^TNX -> %5ETNX, GC=F -> GC%3DF; BTC-USD and AAPL stay as they are.
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { z } from "zod";
import { dateToEpochMs, epochMsToDate } from "./calendar.ts";
import { type Bar, type BarRejectKind, InvalidBarError, parseBar } from "./domain/bar.ts";
import { AssetClass, BarSource, Interval } from "./domain/market.ts";
import { IsoUtcString, isoUtc } from "./domain/time.ts";

export const LAKE_RAW_PREFIX = "raw";
export const LAKE_EVENTS_PREFIX = "events";
export const BARS_FILE = "bars.parquet";
export const EVENTS_FILE = "events.parquet";
/** SNAPPY: fast, and read by every engine (DuckDB, pyarrow, Spark). */
export const PARQUET_COMPRESSION = "SNAPPY";
/** A partition holds at most one day of one symbol (1440 rows for 1m crypto): one row group per file. */
export const PARQUET_ROW_GROUP_SIZE = 10_000;

export function encodeSymbol(symbol: string): string {
  return encodeURIComponent(symbol);
}

export function decodeSymbol(encoded: string): string {
  return decodeURIComponent(encoded);
}

export interface BarPartition {
  assetClass: AssetClass;
  interval: Interval;
  symbol: string;
  /** Trading date, YYYY-MM-DD. */
  date: string;
}

export function barPartitionOf(bar: Bar): BarPartition {
  return { assetClass: bar.assetClass, interval: bar.interval, symbol: bar.symbol, date: bar.tradingDate };
}

/** The deterministic object key of a partition: a re-run writes the same key. */
export function barPartitionKey(p: BarPartition): string {
  return `${LAKE_RAW_PREFIX}/asset=${p.assetClass}/interval=${p.interval}/symbol=${encodeSymbol(p.symbol)}/date=${p.date}/${BARS_FILE}`;
}

/** The prefix of a symbol's partitions of one interval, for listing. */
export function barSymbolPrefix(p: Omit<BarPartition, "date">): string {
  return `${LAKE_RAW_PREFIX}/asset=${p.assetClass}/interval=${p.interval}/symbol=${encodeSymbol(p.symbol)}/`;
}

export function parseBarPartitionKey(key: string): BarPartition {
  const m = /^raw\/asset=([^/]+)\/interval=([^/]+)\/symbol=([^/]+)\/date=(\d{4}-\d{2}-\d{2})\/bars\.parquet$/.exec(key);
  const assetClass = AssetClass.safeParse(m?.[1]);
  const interval = Interval.safeParse(m?.[2]);
  if (!m || !assetClass.success || !interval.success) throw new Error(`not a bar partition key: "${key}"`);
  return { assetClass: assetClass.data, interval: interval.data, symbol: decodeSymbol(m[3] ?? ""), date: m[4] ?? "" };
}

export function eventsKey(assetClass: AssetClass, symbol: string): string {
  return `${LAKE_EVENTS_PREFIX}/asset=${assetClass}/symbol=${encodeSymbol(symbol)}/${EVENTS_FILE}`;
}

// --- Corporate events, kept beside the bars (prices stay as the source gives them) ---

export const CorporateEvent = z.object({
  symbol: z.string().min(1).max(32),
  assetClass: AssetClass,
  type: z.enum(["split", "dividend"]),
  /** Event time as the source stamps it (Yahoo: the session open of the ex-date), UTC. */
  ts: IsoUtcString,
  /** Ex-date in the exchange's time zone. */
  exDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Dividend per share, in `currency`; null for splits. */
  amount: z.number().nullable(),
  /** Split numerator/denominator (4:1 -> 4, 1); null for dividends. */
  numerator: z.number().nullable(),
  denominator: z.number().nullable(),
  currency: z.string().min(1).max(8),
  source: BarSource,
  ingestTs: z.string(),
});
export type CorporateEvent = z.infer<typeof CorporateEvent>;

// --- Parquet ---

interface ParquetWriterLike {
  appendRow(row: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
interface ParquetCursor {
  next(): Promise<Record<string, unknown> | null>;
}
interface ParquetReaderLike {
  getCursor(): ParquetCursor;
  close(): Promise<void>;
}
interface ParquetModule {
  ParquetSchema: new (fields: Record<string, unknown>) => unknown;
  ParquetWriter: {
    openStream(schema: unknown, out: Writable, opts?: { rowGroupSize?: number }): Promise<ParquetWriterLike>;
  };
  ParquetReader: { openBuffer(buf: Buffer): Promise<ParquetReaderLike> };
}

// parquetjs-lite is CommonJS without types; the few calls used are typed above.
const require = createRequire(import.meta.url);
const parquet = require("parquetjs-lite") as ParquetModule;
// parquetjs-lite 0.8.7 decodes INT64 as BigInt but converts TIMESTAMP_MILLIS with `new Date(+value)`,
// which throws on a BigInt: reading any timestamp column fails. One-line fix of that converter.
const parquetTypes = require("parquetjs-lite/lib/types.js") as {
  PARQUET_LOGICAL_TYPES: Record<string, { fromPrimitive?: (v: unknown) => unknown }>;
};
const timestampMillis = parquetTypes.PARQUET_LOGICAL_TYPES.TIMESTAMP_MILLIS;
if (timestampMillis) timestampMillis.fromPrimitive = (v) => new Date(Number(v));

const c = PARQUET_COMPRESSION;
const str = { type: "UTF8", compression: c };
const dbl = { type: "DOUBLE", compression: c };
const timestamp = { type: "TIMESTAMP_MILLIS", compression: c };

/** The Parquet schema of raw bars: the bar v1 fields, timestamps as TIMESTAMP_MILLIS (UTC), dates as DATE. */
export const BAR_PARQUET_FIELDS = {
  v: { type: "INT32", compression: c },
  id: str,
  symbol: str,
  assetClass: str,
  interval: str,
  ts: timestamp,
  tradingDate: { type: "DATE", compression: c },
  open: dbl,
  high: dbl,
  low: dbl,
  close: dbl,
  adjClose: { ...dbl, optional: true },
  volume: dbl,
  currency: str,
  exchange: str,
  source: str,
  ingestTs: timestamp,
  partial: { type: "BOOLEAN", compression: c },
} as const;

export const EVENT_PARQUET_FIELDS = {
  symbol: str,
  assetClass: str,
  type: str,
  ts: timestamp,
  exDate: { type: "DATE", compression: c },
  amount: { ...dbl, optional: true },
  numerator: { ...dbl, optional: true },
  denominator: { ...dbl, optional: true },
  currency: str,
  source: str,
  ingestTs: timestamp,
} as const;

const barSchema = new parquet.ParquetSchema(BAR_PARQUET_FIELDS);
const eventSchema = new parquet.ParquetSchema(EVENT_PARQUET_FIELDS);

async function writeParquet(schema: unknown, rows: Record<string, unknown>[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const writer = await parquet.ParquetWriter.openStream(schema, sink, { rowGroupSize: PARQUET_ROW_GROUP_SIZE });
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(chunks);
}

async function readParquet(buf: Buffer): Promise<Record<string, unknown>[]> {
  const reader = await parquet.ParquetReader.openBuffer(buf);
  const cursor = reader.getCursor();
  const rows: Record<string, unknown>[] = [];
  for (let row = await cursor.next(); row; row = await cursor.next()) rows.push(row);
  await reader.close();
  return rows;
}

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(Number(v)));
const asNumberOrNull = (v: unknown): number | null => (v === undefined || v === null ? null : Number(v));

/** Serialises bars (sorted by ts) to one Parquet file. */
export function writeBarsParquet(bars: readonly Bar[]): Promise<Buffer> {
  const rows = [...bars]
    .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts))
    .map((b) => ({
      ...b,
      ts: new Date(b.ts),
      tradingDate: new Date(dateToEpochMs(b.tradingDate)),
      adjClose: b.adjClose ?? undefined,
      ingestTs: new Date(b.ingestTs),
    }));
  return writeParquet(barSchema, rows);
}

/** A lake row the reader refused: where it is, what it claims to be, and why (never thrown: one bad row hides nothing). */
export interface RejectedRow {
  row: number;
  id: string;
  kind: BarRejectKind;
  reason: string;
}

/**
 * Reads a bars Parquet file back through the gate of every border (parseBar: schema, identity, plausibility). With
 * `partition`, a row must also belong to it (symbol, interval, asset class and trading date of its key): a row that
 * names another series is refused, as a forged Kafka message is.
 */
export async function readBarsParquet(
  buf: Buffer,
  partition?: BarPartition,
): Promise<{ bars: Bar[]; rejected: RejectedRow[] }> {
  const bars: Bar[] = [];
  const rejected: RejectedRow[] = [];
  for (const [row, r] of (await readParquet(buf)).entries()) {
    try {
      const bar = parseBar({
        ...r,
        v: Number(r.v),
        ts: isoUtc(toDate(r.ts).getTime()),
        tradingDate: epochMsToDate(toDate(r.tradingDate).getTime()),
        adjClose: asNumberOrNull(r.adjClose),
        ingestTs: toDate(r.ingestTs).toISOString(),
      });
      const outside = partition ? partitionMismatch(bar, partition) : null;
      if (outside) throw new InvalidBarError([outside]);
      bars.push(bar);
    } catch (err) {
      if (!(err instanceof InvalidBarError)) throw err;
      rejected.push({ row, id: String(r.id), kind: err.kind, reason: err.message });
    }
  }
  return { bars, rejected };
}

function partitionMismatch(bar: Bar, p: BarPartition): { path: string; message: string } | null {
  const own = barPartitionOf(bar);
  for (const f of ["symbol", "interval", "assetClass", "date"] as const)
    if (own[f] !== p[f]) return { path: f, message: `identity: row of ${own[f]} in the partition of ${p[f]}` };
  return null;
}

export function writeEventsParquet(events: readonly CorporateEvent[]): Promise<Buffer> {
  const rows = [...events]
    .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || a.type.localeCompare(b.type))
    .map((e) => ({
      ...e,
      ts: new Date(e.ts),
      exDate: new Date(dateToEpochMs(e.exDate)),
      amount: e.amount ?? undefined,
      numerator: e.numerator ?? undefined,
      denominator: e.denominator ?? undefined,
      ingestTs: new Date(e.ingestTs),
    }));
  return writeParquet(eventSchema, rows);
}

export async function readEventsParquet(buf: Buffer): Promise<CorporateEvent[]> {
  return (await readParquet(buf)).map((r) =>
    CorporateEvent.parse({
      ...r,
      ts: isoUtc(toDate(r.ts).getTime()),
      exDate: epochMsToDate(toDate(r.exDate).getTime()),
      amount: asNumberOrNull(r.amount),
      numerator: asNumberOrNull(r.numerator),
      denominator: asNumberOrNull(r.denominator),
      ingestTs: toDate(r.ingestTs).toISOString(),
    }),
  );
}

/** Union by key; on a clash the newer ingestTs wins (the incoming one on a tie). */
function mergeBy<T extends { ingestTs: string }>(
  existing: readonly T[],
  incoming: readonly T[],
  key: (x: T) => string,
) {
  const out = new Map<string, T>();
  for (const x of existing) out.set(key(x), x);
  for (const x of incoming) {
    const old = out.get(key(x));
    if (!old || Date.parse(x.ingestTs) >= Date.parse(old.ingestTs)) out.set(key(x), x);
  }
  return [...out.values()];
}

/** Merges a partition's stored bars with new ones by ts (newest ingest wins), sorted by ts. */
export function mergeBars(existing: readonly Bar[], incoming: readonly Bar[]): Bar[] {
  return mergeBy(existing, incoming, (b) => b.id).sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
}

export function mergeEvents(existing: readonly CorporateEvent[], incoming: readonly CorporateEvent[]) {
  return mergeBy(existing, incoming, (e) => `${e.type}|${e.ts}`).sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
}
