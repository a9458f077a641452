import type { IncomingMessage } from "@quant/core";
import { sampleBar } from "@quant/core/testing";
import { indicatorOptionsFor } from "@quant/enrich";
import { describe, expect, it } from "vitest";
import { decodeBar, type RejectedMessage } from "./decode.ts";

const bar = sampleBar({ close: 10.5, high: 11, exchange: "NMS" });
const msg = (value: string | null, key: string | null = "AAPL"): IncomingMessage => ({
  topic: "t",
  partition: 2,
  offset: "41",
  key,
  value: value === null ? null : Buffer.from(value),
  headers: { id: "x" },
  timestamp: 1_700_000_000_000,
});
const kindOf = (value: string | null, key?: string | null) => {
  try {
    decodeBar(msg(value, key));
    return "ok";
  } catch (err) {
    return (err as RejectedMessage).kind;
  }
};

describe("decodeBar", () => {
  it("accepts a valid bar and names why others are refused", () => {
    expect(decodeBar(msg(JSON.stringify(bar)))).toEqual(bar);
    expect(kindOf(null)).toBe("empty");
    expect(kindOf("{")).toBe("json");
    expect(kindOf(JSON.stringify({ ...bar, close: "1" }))).toBe("schema");
    expect(kindOf(JSON.stringify({ ...bar, high: 8 }))).toBe("schema");
    expect(kindOf(JSON.stringify({ ...bar, open: 2e9, high: 2e9 }))).toBe("price");
    expect(kindOf(JSON.stringify({ ...bar, assetClass: "bond", open: 150, high: 150 }))).toBe("price");
    expect(kindOf(JSON.stringify({ ...bar, assetClass: "bond", open: -0.1, low: -0.2 }))).toBe("ok");
  });

  it("refuses a valid bar keyed by another symbol, or by none (kind key), after the value's own checks", () => {
    expect(kindOf(JSON.stringify(bar), "MSFT")).toBe("key");
    expect(kindOf(JSON.stringify(bar), null)).toBe("key");
    expect(() => decodeBar(msg(JSON.stringify(bar), "MSFT"))).toThrow(
      'message key "MSFT" is not the bar\'s symbol "AAPL"',
    );
    expect(kindOf(JSON.stringify({ ...bar, close: "1" }), "MSFT")).toBe("schema");
  });
});

describe("indicatorOptionsFor", () => {
  it("annualises by asset class and bars per day; bonds accept non-positive values", () => {
    expect(indicatorOptionsFor("equity", "1d").periodsPerYear).toBe(252);
    expect(indicatorOptionsFor("crypto", "1d").periodsPerYear).toBe(365);
    expect(indicatorOptionsFor("equity", "5m").periodsPerYear).toBe(252 * 78);
    expect(indicatorOptionsFor("crypto", "1h").periodsPerYear).toBe(365 * 24);
    expect(indicatorOptionsFor("bond", "1d").allowNonPositive).toBe(true);
    expect(indicatorOptionsFor("equity", "1d").allowNonPositive).toBe(false);
  });
});
