import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import {
  orderTradeRows,
  parseTradeObjectKey,
  readTradesParquet,
  TRADE_PARQUET_COMPRESSION,
  type TradeParquetCodec,
  type TradeRow,
  tradeObjectKey,
  writeTradesParquet,
} from "./trade-lake.ts";

const T0 = Date.UTC(2024, 0, 2, 23, 59, 59);
const rows: TradeRow[] = Array.from({ length: 500 }, (_, i) => ({
  v: 1,
  symbol: "BINANCE:BTCUSDT",
  assetClass: "crypto",
  exchange: "BINANCE",
  currency: "USDT",
  ts: T0 + i * 7,
  ingestTs: T0 + i * 7 + 3,
  price: 42_000 + i / 100,
  size: 0.001 * (1 + (i % 13)),
  id: `s-${i}`,
  conditions: i % 3 === 0 ? ["1", "12"] : [],
  source: "finnhub",
  partition: 4,
  offset: 1_000 + i,
}));

describe("trade lake", () => {
  const dir = mkdtempSync(join(tmpdir(), "trade-lake-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lays objects out by asset, symbol, date, partition and first offset, and parses the key back", () => {
    const o = {
      assetClass: "crypto" as const,
      symbol: "BINANCE:BTCUSDT",
      date: "2024-01-02",
      partition: 4,
      firstOffset: 1_000,
    };
    const key = tradeObjectKey(o);
    expect(key).toBe("trades/asset=crypto/symbol=BINANCE%3ABTCUSDT/date=2024-01-02/p4-00000000000000001000.parquet");
    expect(parseTradeObjectKey(key)).toEqual(o);
    expect(() => parseTradeObjectKey("trades/asset=bond/symbol=X/date=2024-01-02/p0-1.parquet")).toThrow(/not a trade/);
  });

  it.each(["ZSTD", "SNAPPY", "GZIP", "UNCOMPRESSED"] as TradeParquetCodec[])(
    "round-trips every field with %s",
    async (codec) => {
      expect(await readTradesParquet(writeTradesParquet(rows, codec))).toEqual(rows);
    },
  );

  it("writes ZSTD, which DuckDB reads with the same values", async () => {
    expect(TRADE_PARQUET_COMPRESSION).toBe("ZSTD");
    const file = join(dir, "trades.parquet");
    writeFileSync(file, writeTradesParquet(rows));
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const codecs = (
      await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)
    ).getRowObjects();
    expect(codecs.map((c) => String(c.compression))).toEqual(["ZSTD"]);
    const got = (
      await duck.runAndReadAll(
        `SELECT symbol, epoch_ms(ts) AS ts, price, size, id, conditions, "offset" FROM read_parquet('${file}') ORDER BY "offset"`,
      )
    ).getRowObjects();
    expect(got).toHaveLength(rows.length);
    expect(got[3]).toMatchObject({ symbol: rows[3]!.symbol, price: rows[3]!.price, size: rows[3]!.size, id: "s-3" });
    expect(Number(got[3]!.ts)).toBe(rows[3]!.ts);
    expect(String(got[3]!.conditions)).toMatch(/1.*12/);
    expect(Number(got[499]!.offset)).toBe(1_499);
  });

  it("reads each (partition, offset) once, in partition then offset order", () => {
    const [a, b, c] = rows;
    const other = { ...c!, partition: 1, offset: 5 };
    expect(orderTradeRows([c!, a!, b!, a!, other, c!])).toEqual([other, a, b, c]);
  });
});
