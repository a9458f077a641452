import { describe, expect, it } from "vitest";
import { thrownBy } from "../testing.ts";
import { type BarInput, barId, InvalidBarError, makeBar, parseBar, parseBarId } from "./bar.ts";

const base: Omit<BarInput, "v" | "id"> = {
  symbol: "AAPL",
  assetClass: "equity",
  interval: "1d",
  ts: "2020-08-31T13:30:00.000Z",
  tradingDate: "2020-08-31",
  open: 127.58,
  high: 131,
  low: 126,
  close: 129.04,
  adjClose: 127.2,
  volume: 225702700,
  currency: "USD",
  exchange: "NMS",
  source: "replay",
  ingestTs: "2026-11-21T00:00:00.000Z",
};

const issuesOf = (fields: Partial<BarInput>) => thrownBy(InvalidBarError, () => makeBar({ ...base, ...fields })).issues;

describe("bar v1", () => {
  it("builds a valid bar with its deterministic id and defaults", () => {
    const bar = makeBar(base);
    // ts in its canonical spelling (no zero milliseconds), in the field and in the id.
    expect(bar.ts).toBe("2020-08-31T13:30:00Z");
    expect(bar.id).toBe("AAPL|1d|2020-08-31T13:30:00Z");
    expect(bar.partial).toBe(false);
    expect(parseBar(JSON.parse(JSON.stringify(bar)))).toEqual(bar);
  });

  it("refuses a bar whose id is not its own: another series, another instant, another spelling", () => {
    const bar = makeBar(base);
    const parse = (over: Record<string, unknown>) => () => parseBar({ ...bar, ...over });
    expect(parse({ symbol: "ZZFORGE" })).toThrow(
      /id: identity: "AAPL\|1d\|2020-08-31T13:30:00Z" is not this bar's id "ZZFORGE/,
    );
    expect(parse({ ts: "2020-09-01T13:30:00Z" })).toThrow(/identity/);
    expect(parse({ interval: "5m" })).toThrow(/identity/);
    expect(parse({ id: "AAPL|1d|2020-08-31T13:30:00.000Z" })).toThrow(/identity/);
    // One instant, one id: both spellings of ts parse to the canonical one.
    expect(parseBar({ ...bar, ts: "2020-08-31T13:30:00.000Z" })).toEqual(bar);
    expect(parseBar({ ...bar, ts: "2020-08-31T13:30:00.250Z", id: "AAPL|1d|2020-08-31T13:30:00.250Z" }).ts).toBe(
      "2020-08-31T13:30:00.250Z",
    );
  });

  it("refuses implausible values as kind price, the schema's failures as kind schema", () => {
    const kind = (over: Partial<BarInput>) => {
      try {
        makeBar({ ...base, ...over });
        return "ok";
      } catch (err) {
        return (err as InvalidBarError).kind;
      }
    };
    expect(kind({ high: 2e9 })).toBe("price");
    expect(kind({ high: 1e9 })).toBe("ok");
    expect(kind({ assetClass: "bond" })).toBe("price");
    expect(kind({ assetClass: "bond", open: -21, low: -21, close: -20, high: -20 })).toBe("price");
    expect(kind({ assetClass: "bond", open: -1, low: -2, close: 0, high: 0 })).toBe("ok");
    expect(kind({ high: 100 })).toBe("schema");
  });

  it("round-trips the id", () => {
    expect(parseBarId(barId({ symbol: "^TNX", interval: "1d", ts: base.ts }))).toEqual({
      symbol: "^TNX",
      interval: "1d",
      ts: base.ts,
    });
    expect(() => parseBarId("AAPL|2d|x")).toThrow(/not a bar id/);
  });

  it("names the broken high invariant", () => {
    const issues = issuesOf({ high: 128 });
    expect(issues).toEqual([{ path: "high", message: "invariant high >= max(open, close) broken: 128 < 129.04" }]);
  });

  it("names the broken low invariant", () => {
    expect(issuesOf({ low: 128 })[0]).toEqual({
      path: "low",
      message: "invariant low <= min(open, close) broken: 128 > 127.58",
    });
  });

  it("rejects non-finite prices, negative volume and non-UTC times, naming the field", () => {
    expect(issuesOf({ close: Number.NaN }).map((i) => i.path)).toContain("close");
    expect(issuesOf({ open: Number.POSITIVE_INFINITY }).map((i) => i.path)).toContain("open");
    expect(issuesOf({ volume: -1 })).toEqual([{ path: "volume", message: "expected volume >= 0" }]);
    expect(issuesOf({ ts: "2020-08-31T09:30:00-04:00" })[0]?.path).toBe("ts");
    expect(issuesOf({ interval: "2h" as never })[0]?.path).toBe("interval");
  });

  it("rejects non-positive prices except for bond yields", () => {
    expect(issuesOf({ low: 0, open: 0.5, close: 0.5, high: 1 })[0]?.message).toBe("invariant low > 0 broken: 0");
    const bond = makeBar({ ...base, symbol: "^IRX", assetClass: "bond", open: 0.01, high: 0.02, low: -0.01, close: 0 });
    expect(bond.low).toBe(-0.01);
  });
});
