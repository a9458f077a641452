// Parquet plumbing over parquetjs-lite for the bar lake (lake.ts): the library's few calls, typed; one fix of it;
// whole-file write and read. (The trade lake writes with hyparquet-writer: trade-lake.ts says why.)
import { createRequire } from "node:module";
import { Writable } from "node:stream";

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

export function parquetSchema(fields: Record<string, unknown>): unknown {
  return new parquet.ParquetSchema(fields);
}

export async function writeParquet(
  schema: unknown,
  rows: readonly Record<string, unknown>[],
  rowGroupSize: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const writer = await parquet.ParquetWriter.openStream(schema, sink, { rowGroupSize });
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(chunks);
}

export async function readParquet(buf: Buffer): Promise<Record<string, unknown>[]> {
  const reader = await parquet.ParquetReader.openBuffer(buf);
  const cursor = reader.getCursor();
  const rows: Record<string, unknown>[] = [];
  for (let row = await cursor.next(); row; row = await cursor.next()) rows.push(row);
  await reader.close();
  return rows;
}
