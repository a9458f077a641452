import { describe, expect, it } from "vitest";
import { thrownBy } from "../testing.ts";
import { InvalidTradeError, isTradeV1, makeTrade, parseTrade, type Trade, TradeV1 } from "./trade.ts";

const base: Trade = {
  v: 1,
  symbol: "BTC-USD",
  assetClass: "crypto",
  exchange: "SYNTHETIC",
  currency: "USD",
  ts: 1_704_067_200_123,
  ingestTs: 1_704_067_200_125,
  price: 42_000.12,
  size: 0.0123,
  id: "17",
  conditions: [],
  source: "synthetic",
};

/** Broken values per field: wrong types, bounds, non-finite numbers, empty or long strings. */
const BAD: Record<string, unknown[]> = {
  v: [2, "1", null, 1.5],
  symbol: ["", "A B", "A|B", "A/B", "x".repeat(33), 7, null],
  assetClass: ["bond", "", 1],
  exchange: ["", "x".repeat(33), 3],
  currency: ["", "x".repeat(9), null],
  ts: [1.5, -1, 0, 946_684_799_999, 4_102_444_800_001, "1704067200123", Number.NaN, null],
  ingestTs: [1.5, "x", Number.POSITIVE_INFINITY],
  price: [0, -1, 1e9 + 1, Number.NaN, Number.POSITIVE_INFINITY, "42000", null],
  size: [0, -0.5, 1e12 + 1, Number.NaN, "1", null],
  id: ["", "x".repeat(65), 17, null],
  conditions: ["1", [1], ["x".repeat(17)], Array(17).fill("1"), null],
  source: ["yahoo", "", null],
};

const GOOD: Record<string, unknown[]> = {
  symbol: ["BINANCE:BTCUSDT", "^TNX", "x".repeat(32)],
  assetClass: ["equity"],
  ts: [946_684_800_000, 4_102_444_800_000],
  price: [1e-8, 1e9],
  size: [1e-12, 1e12],
  id: ["x".repeat(64)],
  conditions: [["1", "12"], Array(16).fill("x".repeat(16))],
  source: ["finnhub"],
};

describe("trade v1", () => {
  it("builds a valid trade with its defaults and round-trips through JSON", () => {
    const { v: _, conditions: __, ...fields } = base;
    const t = makeTrade(fields);
    expect(t).toEqual(base);
    expect(parseTrade(JSON.parse(JSON.stringify(t)))).toEqual(t);
  });

  it("names each broken field", () => {
    const issues = (x: unknown) => thrownBy(InvalidTradeError, () => parseTrade(x)).issues.map((i) => i.path);
    expect(issues({ ...base, price: -1 })).toEqual(["price"]);
    expect(issues({ ...base, ts: 1.5, size: 0 })).toEqual(["ts", "size"]);
    expect(issues({ ...base, extra: 1 })).toEqual(["(root)"]);
    expect(() => parseTrade({ ...base, price: Number.NaN })).toThrow(/price/);
  });

  it("the hot-path check gives zod's verdict on every valid and broken variant", () => {
    const cases: unknown[] = [base, null, [], "x", 1, { ...base, extra: 1 }, { ...base, conditions: undefined }];
    for (const [field, values] of Object.entries(BAD)) for (const v of values) cases.push({ ...base, [field]: v });
    for (const [field, values] of Object.entries(GOOD)) for (const v of values) cases.push({ ...base, [field]: v });
    for (const field of Object.keys(base)) {
      const { [field as keyof Trade]: _, ...without } = base;
      cases.push(without);
    }
    let accepted = 0;
    for (const c of cases) {
      const zod = TradeV1.safeParse(c).success;
      // zod defaults a missing `conditions`; the hot path leaves that case to zod (parseTrade falls back).
      const defaulted =
        typeof c === "object" && c !== null && !Array.isArray(c) && (c as Partial<Trade>).conditions === undefined;
      if (defaulted) expect(isTradeV1(c)).toBe(false);
      else expect(isTradeV1(c), JSON.stringify(c)).toBe(zod);
      if (zod) accepted++;
      expect(() => parseTrade(c)).toSatisfy((f: () => unknown) => {
        try {
          f();
          return zod;
        } catch {
          return !zod;
        }
      });
    }
    expect(accepted).toBeGreaterThan(10);
    expect(cases.length - accepted).toBeGreaterThan(50);
  });
});
