// The trade lake: raw trades as Parquet, Hive-partitioned by asset class, symbol and date, written by the trade
// archiver from the trades topic and read by the batch recomputation of candles.
//
//   trades/asset=<crypto|equity>/symbol=<SYM>/date=<YYYY-MM-DD>/p<partition>-<first offset, 20 digits>.parquet
//
// `date` is the UTC date of the trades' event time. An object holds one flush of one partition for one symbol and
// date, in offset (arrival) order; every row keeps its topic partition and offset. Names derive from the first
// offset, and the archiver commits only after writing, so a replay after a crash rewrites the same objects (or
// supersets of them); readers drop repeated (partition, offset) pairs all the same.
import { epochMsToDate } from "./calendar.ts";
import { parseTrade, type Trade, TradeAssetClass } from "./domain/trade.ts";
import { decodeSymbol, encodeSymbol } from "./lake.ts";
import { type ParquetCodec, parquetSchema, readParquet, writeParquet, ZSTD_AVAILABLE } from "./parquet.ts";

export const LAKE_TRADES_PREFIX = "trades";

/** ZSTD (smaller than SNAPPY on trade columns, measured in docs/trades.md); SNAPPY on a Node without zstd. */
export const TRADE_PARQUET_COMPRESSION: ParquetCodec = ZSTD_AVAILABLE ? "ZSTD" : "SNAPPY";
export const TRADE_ROW_GROUP_SIZE = 100_000;

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

/** The Parquet columns of archived trades, with one codec. */
export function tradeParquetFields(compression: ParquetCodec) {
  const str = { type: "UTF8", compression };
  const dbl = { type: "DOUBLE", compression };
  const ms = { type: "TIMESTAMP_MILLIS", compression };
  return {
    v: { type: "INT32", compression },
    symbol: str,
    assetClass: str,
    exchange: str,
    currency: str,
    ts: ms,
    ingestTs: ms,
    price: dbl,
    size: dbl,
    id: str,
    conditions: { ...str, repeated: true },
    source: str,
    partition: { type: "INT32", compression },
    offset: { type: "INT64", compression },
  };
}

const schemas = new Map<ParquetCodec, unknown>();

/** Serialises trade rows (in the order given: offset order) to one Parquet file. */
export function writeTradesParquet(
  rows: readonly TradeRow[],
  compression: ParquetCodec = TRADE_PARQUET_COMPRESSION,
): Promise<Buffer> {
  let schema = schemas.get(compression);
  if (!schema) schemas.set(compression, (schema = parquetSchema(tradeParquetFields(compression))));
  return writeParquet(
    schema,
    rows.map((r) => ({ ...r, ts: new Date(r.ts), ingestTs: new Date(r.ingestTs) })),
    TRADE_ROW_GROUP_SIZE,
  );
}

const ms = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(v));

/** Reads archived trades back, each through the trade v1 gate (a row that is not a trade throws, naming it). */
export async function readTradesParquet(buf: Buffer): Promise<TradeRow[]> {
  return (await readParquet(buf)).map((r) => {
    const { partition, offset, ...fields } = r;
    const trade = parseTrade({
      ...fields,
      v: Number(fields.v),
      ts: ms(fields.ts),
      ingestTs: ms(fields.ingestTs),
      conditions: (fields.conditions as string[] | undefined) ?? [],
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
