import { describe, expect, it } from "vitest";
import { makeBar } from "./domain/bar.ts";
import {
  barPartitionKey,
  barPartitionOf,
  type CorporateEvent,
  eventsKey,
  mergeBars,
  parseBarPartitionKey,
  readBarsParquet,
  readEventsParquet,
  writeBarsParquet,
  writeEventsParquet,
} from "./lake.ts";

const bar = (ts: string, close: number, ingestTs = "2026-11-21T10:00:00.000Z", symbol = "AAPL") =>
  makeBar({
    symbol,
    assetClass: "equity",
    interval: "1d",
    ts,
    tradingDate: ts.slice(0, 10),
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    adjClose: close * 0.98,
    volume: 1000,
    currency: "USD",
    exchange: "NMS",
    source: "replay",
    ingestTs,
  });

describe("lake layout", () => {
  it("builds Hive-style keys with percent-encoded symbols, and parses them back", () => {
    const key = barPartitionKey({ assetClass: "bond", interval: "1d", symbol: "^TNX", date: "2020-01-02" });
    expect(key).toBe("raw/asset=bond/interval=1d/symbol=%5ETNX/date=2020-01-02/bars.parquet");
    expect(parseBarPartitionKey(key)).toEqual({
      assetClass: "bond",
      interval: "1d",
      symbol: "^TNX",
      date: "2020-01-02",
    });
    expect(barPartitionKey({ assetClass: "crypto", interval: "1m", symbol: "BTC-USD", date: "2020-01-01" })).toContain(
      "symbol=BTC-USD/",
    );
    expect(eventsKey("equity", "GC=F")).toBe("events/asset=equity/symbol=GC%3DF/events.parquet");
  });
});

describe("lake Parquet", () => {
  it("round-trips bars, including a null adjClose and sub-second ingest times", async () => {
    const bars = [bar("2020-01-03T14:30:00Z", 10), { ...bar("2020-01-02T14:30:00Z", 11), adjClose: null }];
    const { bars: back, rejected } = await readBarsParquet(await writeBarsParquet(bars));
    expect(rejected).toEqual([]);
    expect(back.map((b) => b.ts)).toEqual(["2020-01-02T14:30:00Z", "2020-01-03T14:30:00Z"]);
    expect(back[0]).toEqual(bars[1]);
    expect(back[1]).toEqual(bars[0]);
  });

  it("refuses rows that name another bar, another partition or an impossible price, and keeps the others", async () => {
    const good = bar("2020-01-02T14:30:00Z", 10);
    const forged = { ...bar("2020-01-03T14:30:00Z", 11), id: good.id };
    const elsewhere = { ...bar("2020-01-06T14:30:00Z", 12), symbol: "ZZFORGE", id: "ZZFORGE|1d|2020-01-06T14:30:00Z" };
    const impossible = { ...bar("2020-01-07T14:30:00Z", 10), high: 5e9 };
    const buf = await writeBarsParquet([good, forged, elsewhere, impossible]);
    const { bars, rejected } = await readBarsParquet(buf, barPartitionOf(good));
    expect(bars).toEqual([good]);
    expect(rejected.map((r) => [r.id, r.kind])).toEqual([
      [good.id, "schema"],
      ["ZZFORGE|1d|2020-01-06T14:30:00Z", "schema"],
      [impossible.id, "price"],
    ]);
    expect(rejected[0]?.reason).toMatch(/identity/);
    expect(rejected[1]?.reason).toMatch(/symbol: identity: row of ZZFORGE in the partition of AAPL/);
    // Without a partition, only the bar's own checks apply.
    expect((await readBarsParquet(buf)).bars).toEqual([good, elsewhere]);
  });

  it("writes the same bytes for the same bars (deterministic objects)", async () => {
    const bars = [bar("2020-01-02T14:30:00Z", 10)];
    expect((await writeBarsParquet(bars)).equals(await writeBarsParquet(bars))).toBe(true);
  });

  it("round-trips corporate events", async () => {
    const split: CorporateEvent = {
      symbol: "AAPL",
      assetClass: "equity",
      type: "split",
      ts: "2020-08-31T13:30:00Z",
      exDate: "2020-08-31",
      amount: null,
      numerator: 4,
      denominator: 1,
      currency: "USD",
      source: "replay",
      ingestTs: "2026-11-21T10:00:00.000Z",
    };
    expect(await readEventsParquet(await writeEventsParquet([split]))).toEqual([split]);
  });

  it("merges by ts: union, newest ingest wins", () => {
    const old = [bar("2020-01-02T14:30:00Z", 10, "2026-01-01T00:00:00.000Z"), bar("2020-01-03T14:30:00Z", 11)];
    const fresh = [bar("2020-01-03T14:30:00Z", 12, "2026-11-22T00:00:00.000Z")];
    const merged = mergeBars(old, fresh);
    expect(merged.map((b) => [b.ts, b.close])).toEqual([
      ["2020-01-02T14:30:00Z", 10],
      ["2020-01-03T14:30:00Z", 12],
    ]);
    // An older ingest does not overwrite a newer one.
    expect(mergeBars(fresh, [bar("2020-01-03T14:30:00Z", 9, "2025-01-01T00:00:00.000Z")])[0]?.close).toBe(12);
  });
});
