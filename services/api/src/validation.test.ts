import { describe, expect, it } from "vitest";
import { BarsQuery, HttpError, parseQuery, resolveRange } from "./validation.ts";

describe("validation", () => {
  it("parses a good bars query", () => {
    const q = parseQuery(BarsQuery, { symbol: "^TNX", interval: "1d", from: "2024-01-02", limit: "10" });
    expect(q).toEqual({
      symbol: "^TNX",
      interval: "1d",
      source: "auto",
      from: new Date("2024-01-02T00:00:00Z"),
      limit: 10,
    });
  });
  it("refuses unknown keys, arrays and operator-looking strings", () => {
    for (const query of [
      { "symbol[$ne]": "x" },
      { symbol: ["AAPL", "MSFT"] },
      { symbol: '{"$gt":""}' },
      { symbol: { $ne: "x" } },
      { symbol: "AAPL", $where: "1" },
    ]) {
      expect(() => parseQuery(BarsQuery, query)).toThrow(HttpError);
    }
  });
  it("names the parameter: required, or not a single string", () => {
    expect(() => parseQuery(BarsQuery, { "symbol[$ne]": "x" })).toThrow("symbol: required");
    expect(() => parseQuery(BarsQuery, { symbol: ["A", "B"] })).toThrow("symbol: expected a single string value");
    expect(() => parseQuery(BarsQuery, { symbol: "AAPL", "x[$gt]": "1" })).toThrow("unknown parameter: x[$gt]");
  });
  it("checks ranges: order and size", () => {
    const to = new Date("2024-02-01T00:00:00Z");
    expect(() => resolveRange({ from: to, to }, "1d", 100)).toThrow(/from must be before to/);
    expect(() => resolveRange({ from: new Date("2023-01-01"), to }, "1m", 5000)).toThrow(/range too large/);
    expect(resolveRange({ to }, "1d", 10).from).toEqual(new Date("2024-01-22T00:00:00Z"));
  });
});
