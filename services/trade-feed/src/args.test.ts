import { UsageError } from "@quant/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_SYNTHETIC_SYMBOLS, parseFeedArgs } from "./args.ts";

describe("trade-feed arguments", () => {
  it("reads the synthetic source's flags, with defaults", () => {
    expect(parseFeedArgs(["synthetic"])).toMatchObject({
      source: "synthetic",
      rate: 1_000,
      steady: false,
      symbols: DEFAULT_SYNTHETIC_SYMBOLS,
      assetClass: "crypto",
      durationSeconds: null,
      pace: "realtime",
      chaos: { late: 0, outOfOrder: 0, duplicate: 0, corrupt: 0 },
      latenessMs: 2_000,
    });
    const r = parseFeedArgs([
      "synthetic",
      "--rate",
      "10000",
      "--steady",
      "--symbols",
      "SYN-A,SYN-B",
      "--asset-class",
      "equity",
      "--duration",
      "60",
      "--seed",
      "7",
      "--chaos",
      "late=0.01,corrupt=0.001",
      "--pace",
      "none",
      "--start",
      "2024-01-02T00:00:00Z",
    ]);
    expect(r).toMatchObject({
      rate: 10_000,
      steady: true,
      symbols: ["SYN-A", "SYN-B"],
      assetClass: "equity",
      durationSeconds: 60,
      seed: 7,
      chaos: { late: 0.01, corrupt: 0.001 },
      pace: "none",
      start: Date.UTC(2024, 0, 2),
    });
    expect(parseFeedArgs(["finnhub", "--symbols", "AAPL,BINANCE:BTCUSDT"])).toEqual({
      source: "finnhub",
      symbols: ["AAPL", "BINANCE:BTCUSDT"],
    });
  });

  it("refuses bad input, naming the flag", () => {
    const flag = (args: string[]) => {
      try {
        parseFeedArgs(args);
      } catch (err) {
        if (err instanceof UsageError) return err.message;
        throw err;
      }
      return "accepted";
    };
    expect(flag([])).toMatch(/<source>: expected synthetic or finnhub/);
    expect(flag(["yahoo"])).toMatch(/<source>/);
    expect(flag(["synthetic", "--rate", "0"])).toMatch(/--rate: expected a positive number/);
    expect(flag(["synthetic", "--chaos", "late=5"])).toMatch(/--chaos: late rate must be within/);
    expect(flag(["synthetic", "--pace", "none"])).toMatch(/--pace: none needs --duration/);
    expect(flag(["synthetic", "--start", "yesterday"])).toMatch(/--start/);
    expect(flag(["synthetic", "--symbols", "A|B"])).toMatch(/--symbols: not a symbol/);
    expect(flag(["synthetic", "--bogus"])).toMatch(/--bogus/);
    expect(flag(["finnhub", "--rate", "5"])).toMatch(/--rate: only for the synthetic source/);
    const many = Array.from({ length: 51 }, (_, i) => `S${i}`).join(",");
    expect(flag(["finnhub", "--symbols", many])).toMatch(/--symbols: Finnhub streams at most 50 symbols/);
  });
});
