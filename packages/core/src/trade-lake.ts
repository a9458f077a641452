// The trade lake: raw trades as Parquet, Hive-partitioned by asset class, symbol and date, written by the trade
// archiver from the trades topic and read by the batch recomputation of candles.
//
//   trades/asset=<crypto|equity>/symbol=<SYM>/date=<YYYY-MM-DD>/p<partition>-<first offset, 20 digits>.parquet
//
// `date` is the UTC date of the trades' event time. An object holds one flush of one partition for one symbol and
// date, in offset (arrival) order; every row keeps its topic partition and offset. Names derive from the first
// offset, and the archiver commits only after writing, so a replay after a crash rewrites the same objects (or
// supersets of them); readers drop repeated (partition, offset) pairs all the same.
//
// Written with hyparquet-writer, read with hyparquet (columnar, pure JS), not parquetjs-lite (which the bar lake
// keeps): parquetjs-lite shreds each row on its own, ~100 µs a row here, so the archiver spent 36 s on one flush of
// 121,000 trades, blocking its event loop past the consumer group's session timeout; hyparquet-writer takes ~12 µs a
// row for the same columns (docs/trades.md has the figures). ZSTD through Node's zlib (>= 22.15) as the codec, which
// neither library ships; DuckDB reads the files (test).
import zlib from "node:zlib";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { epochMsToDate } from "./calendar.ts";
import { parseTrade, type Trade, TradeAssetClass } from "./domain/trade.ts";
import { decodeSymbol, encodeSymbol } from "./lake.ts";

export const LAKE_TRADES_PREFIX = "trades";

export type TradeParquetCodec = "UNCOMPRESSED" | "SNAPPY" | "GZIP" | "ZSTD";

/** True when this Node has zstd (>= 22.15; the project runs on 24). */
export const ZSTD_AVAILABLE = typeof zlib.zstdCompressSync === "function";
/** ZSTD: about a third of SNAPPY's size on trade columns (docs/trades.md); SNAPPY on a Node without zstd. */
export const TRADE_PARQUET_COMPRESSION: TradeParquetCodec = ZSTD_AVAILABLE ? "ZSTD" : "SNAPPY";
export const TRADE_ROW_GROUP_SIZE = 100_000;

/** The codecs the libraries lack, from Node's zlib (snappy is built in). */
const compressors = {
  ZSTD: (b: Uint8Array) => zlib.zstdCompressSync(b),
  GZIP: (b: Uint8Array) => zlib.gzipSync(b),
};
const decompressors = {
  ZSTD: (b: Uint8Array) => zlib.zstdDecompressSync(b),
  GZIP: (b: Uint8Array) => zlib.gunzipSync(b),
};

/** A trade as archived: where it was in the trades topic besides the trade itself. */
export interface TradeRow extends Trade {
  partition: number;
  offset: number;
}

export interface TradeObject {
  assetClass: TradeAssetClass;
  symbol: string;
  /** UTC date of the event time, YYYY-MM-DD. */
  date: string;
  partition: number;
  firstOffset: number;
}

export function tradeDate(ts: number): string {
  return epochMsToDate(ts);
}

export function tradeObjectKey(o: TradeObject): string {
  return `${tradeSymbolPrefix(o.assetClass, o.symbol)}date=${o.date}/p${o.partition}-${String(o.firstOffset).padStart(20, "0")}.parquet`;
}

/** The prefix of a symbol's objects, for listing. */
export function tradeSymbolPrefix(assetClass: TradeAssetClass, symbol: string): string {
  return `${LAKE_TRADES_PREFIX}/asset=${assetClass}/symbol=${encodeSymbol(symbol)}/`;
}

export function parseTradeObjectKey(key: string): TradeObject {
  const m = /^trades\/asset=([^/]+)\/symbol=([^/]+)\/date=(\d{4}-\d{2}-\d{2})\/p(\d+)-(\d{20})\.parquet$/.exec(key);
  const assetClass = TradeAssetClass.safeParse(m?.[1]);
  if (!m || !assetClass.success) throw new Error(`not a trade object key: "${key}"`);
  return {
    assetClass: assetClass.data,
    symbol: decodeSymbol(m[2] ?? ""),
    date: m[3] ?? "",
    partition: Number(m[4]),
    firstOffset: Number(m[5]),
  };
}

type Column = { name: keyof TradeRow; type: "INT32" | "INT64" | "STRING" | "TIMESTAMP" | "DOUBLE" | "JSON" };

/** The Parquet columns of archived trades: timestamps as TIMESTAMP_MILLIS (UTC), conditions as a JSON list. */
export const TRADE_PARQUET_COLUMNS: readonly Column[] = [
  { name: "v", type: "INT32" },
  { name: "symbol", type: "STRING" },
  { name: "assetClass", type: "STRING" },
  { name: "exchange", type: "STRING" },
  { name: "currency", type: "STRING" },
  { name: "ts", type: "TIMESTAMP" },
  { name: "ingestTs", type: "TIMESTAMP" },
  { name: "price", type: "DOUBLE" },
  { name: "size", type: "DOUBLE" },
  { name: "id", type: "STRING" },
  { name: "conditions", type: "JSON" },
  { name: "source", type: "STRING" },
  { name: "partition", type: "INT32" },
  { name: "offset", type: "INT64" },
];

const cell = (r: TradeRow, c: Column): unknown =>
  c.type === "TIMESTAMP" ? new Date(r[c.name] as number) : c.type === "INT64" ? BigInt(r[c.name] as number) : r[c.name];

/** Serialises trade rows (in the order given: offset order) to one Parquet file. */
export function writeTradesParquet(
  rows: readonly TradeRow[],
  codec: TradeParquetCodec = TRADE_PARQUET_COMPRESSION,
): Buffer {
  const out = parquetWriteBuffer({
    codec,
    compressors,
    rowGroupSize: TRADE_ROW_GROUP_SIZE,
    columnData: TRADE_PARQUET_COLUMNS.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: false,
      data: rows.map((r) => cell(r, c)),
    })),
  });
  return Buffer.from(out);
}

const ms = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(v));

/** Reads archived trades back, each through the trade v1 gate (a row that is not a trade throws, naming it). */
export async function readTradesParquet(buf: Buffer): Promise<TradeRow[]> {
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file, compressors: decompressors })) as Record<string, unknown>[];
  return rows.map((r) => {
    const { partition, offset, ...fields } = r;
    const trade = parseTrade({
      ...fields,
      ts: ms(fields.ts),
      ingestTs: ms(fields.ingestTs),
      conditions: typeof fields.conditions === "string" ? JSON.parse(fields.conditions) : fields.conditions,
    });
    return { ...trade, partition: Number(partition), offset: Number(offset) };
  });
}

/** Rows of one symbol from several objects: each (partition, offset) once, in partition then offset order. */
export function orderTradeRows(rows: readonly TradeRow[]): TradeRow[] {
  const seen = new Map<string, TradeRow>();
  for (const r of rows) seen.set(`${r.partition}:${r.offset}`, r);
  return [...seen.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
