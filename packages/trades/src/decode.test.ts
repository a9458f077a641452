import { thrownBy } from "@quant/core/testing";
import { describe, expect, it } from "vitest";
import { decodeTrade, RejectedTrade } from "./decode.ts";

const trade = {
  v: 1,
  symbol: "SYN-BTC",
  assetClass: "crypto",
  exchange: "SYNTHETIC",
  currency: "USD",
  ts: Date.UTC(2024, 0, 2, 9, 0, 0),
  ingestTs: Date.UTC(2024, 0, 2, 9, 0, 0, 5),
  price: 42_000.5,
  size: 0.25,
  id: "t-1",
  conditions: [],
  source: "synthetic",
};

const refusal = (value: unknown, key: string | null) =>
  thrownBy(RejectedTrade, () =>
    decodeTrade(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)), key),
  );

describe("decodeTrade", () => {
  it("accepts a trade v1 keyed by its symbol", () => {
    expect(decodeTrade(Buffer.from(JSON.stringify(trade)), "SYN-BTC")).toEqual(trade);
  });

  it("refuses a valid trade keyed by another symbol, or by none, naming both (kind key)", () => {
    const other = refusal(trade, "SYN-ETH");
    expect(other.kind).toBe("key");
    expect(other.message).toMatch(/message key "SYN-ETH" is not the trade's symbol "SYN-BTC"/);
    expect(refusal(trade, null).message).toMatch(/message key null is not the trade's symbol "SYN-BTC"/);
    expect(refusal(trade, "syn-btc").kind).toBe("key");
  });

  it("judges the value first: a broken value is refused for what is wrong with it, whatever its key", () => {
    expect(refusal("{", "SYN-BTC").kind).toBe("json");
    expect(refusal({ ...trade, price: -1 }, "SYN-ETH").kind).toBe("schema");
    expect(refusal("", null).kind).toBe("empty");
  });
});
