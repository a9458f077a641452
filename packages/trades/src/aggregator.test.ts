import type { Trade } from "@quant/core";
import { describe, expect, it } from "vitest";
import { type AggregatorOptions, CandleAggregator } from "./aggregator.ts";
import type { CandleData } from "./candle.ts";
import { TradeGenerator } from "./generator/generator.ts";
import { aggregateHistory } from "./history.ts";
import { plainCandles } from "./testing.ts";
import { parseWidths } from "./width.ts";

const T0 = Date.UTC(2024, 0, 2, 0, 0, 0);
const opts: AggregatorOptions = { widths: parseWidths("1s,10s,1m"), allowedLatenessMs: 2_000 };

let n = 0;
function trade(symbol: string, ts: number, price: number, size = 1, id = `t${++n}`): Trade {
  return {
    v: 1,
    symbol,
    assetClass: "crypto",
    exchange: "SYNTHETIC",
    currency: "USD",
    ts,
    ingestTs: ts + 5,
    price,
    size,
    id,
    conditions: [],
    source: "synthetic",
  };
}

const ohlcv = (c: CandleData) => ({
  symbol: c.symbol,
  width: c.width,
  start: c.start,
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
  volume: c.volume,
  trades: c.trades,
});
const sorted = (cs: CandleData[]) =>
  cs.map(ohlcv).sort((a, b) => a.symbol.localeCompare(b.symbol) || a.width - b.width || a.start - b.start);

/** A generated stream with every kind of chaos, stamped as delivered. */
function chaosStream(count: number, seed = 7): Trade[] {
  const g = new TradeGenerator({
    seed,
    symbols: [
      { symbol: "SYN-BTC", assetClass: "crypto" },
      { symbol: "SYN-ETH", assetClass: "crypto" },
      { symbol: "SYN-AAPL", assetClass: "equity" },
    ],
    ratePerSecond: 400,
    start: T0,
    chaos: { late: 0.01, outOfOrder: 0.05, duplicate: 0.03, corrupt: 0 },
    allowedLatenessMs: 2_000,
  });
  const out: Trade[] = [];
  for (let e = g.next(); e && out.length < count; e = g.next())
    if (e.kind === "trade") out.push({ ...e.trade, ingestTs: e.at });
  return out;
}

describe("candle aggregation in event time", () => {
  it("builds OHLCV per window and closes a window only when the watermark reaches its end", () => {
    const a = new CandleAggregator(opts);
    expect(a.apply(trade("X", T0 + 100, 10, 2))).toBe("applied");
    expect(a.apply(trade("X", T0 + 900, 12, 1))).toBe("applied");
    expect(a.apply(trade("X", T0 + 500, 9, 3))).toBe("applied"); // out of order: neither open nor close
    expect(a.apply(trade("X", T0 + 2_999, 11))).toBe("applied");
    expect(a.drainClosed()).toEqual([]); // watermark 999: the first second ends at 1000
    expect(a.apply(trade("X", T0 + 3_000, 11.5))).toBe("applied");
    const closed = a.drainClosed();
    expect(closed.map(ohlcv)).toEqual([
      { symbol: "X", width: 1_000, start: T0, open: 10, high: 12, low: 9, close: 12, volume: 6, trades: 3 },
    ]);
    expect(closed[0]!.notional).toBe(10 * 2 + 12 + 9 * 3);
    expect(a.watermark("X")).toBe(T0 + 1_000);
  });

  it("applies a trade within the lateness to its open window, refuses one beyond it, never patches a closed candle", () => {
    const a = new CandleAggregator(opts);
    a.apply(trade("X", T0 + 1_500, 10));
    a.apply(trade("X", T0 + 5_000, 11)); // watermark 3000: [1000, 2000) closes
    expect(a.drainClosed().map((c) => [c.width, c.start])).toEqual([[1_000, T0 + 1_000]]);
    // 3.5 s behind the newest: within the 10 s and 1 m windows, but beyond the lateness: late, applied nowhere.
    expect(a.apply(trade("X", T0 + 1_500, 99))).toBe("late");
    // 1.9 s behind: applied, and as the earliest trade of its second it becomes that candle's open.
    expect(a.apply(trade("X", T0 + 3_100, 8))).toBe("applied");
    expect(a.apply(trade("X", T0 + 3_050, 7))).toBe("applied");
    a.apply(trade("X", T0 + 70_000, 12));
    const closed = a.drainClosed();
    const second3 = closed.find((c) => c.width === 1_000 && c.start === T0 + 3_000)!;
    expect([second3.open, second3.close, second3.low]).toEqual([7, 8, 7]);
    const minute = closed.find((c) => c.width === 60_000)!;
    expect([minute.open, minute.high, minute.low, minute.close, minute.trades]).toEqual([10, 11, 7, 11, 4]);
  });

  it("skips a re-sent trade, within the lateness and behind it while its second is still held", () => {
    const a = new CandleAggregator(opts);
    const t = trade("X", T0 + 1_200, 10, 1, "same");
    expect(a.apply(t)).toBe("applied");
    expect(a.apply({ ...t })).toBe("duplicate");
    a.apply(trade("X", T0 + 3_500, 10)); // watermark 1500: t's second [1000, 2000) is still held
    expect(a.apply({ ...t })).toBe("duplicate");
    a.apply(trade("X", T0 + 4_500, 10)); // watermark 2500: that second is forgotten, t is now just late
    expect(a.apply({ ...t })).toBe("late");
    // The same id in another symbol is another trade.
    expect(a.apply({ ...t, symbol: "Y" })).toBe("applied");
  });

  it("refuses a trade stamped far ahead of its arrival, so one broken clock cannot close every window", () => {
    const a = new CandleAggregator(opts);
    a.apply(trade("X", T0, 10));
    expect(a.apply({ ...trade("X", T0 + 86_400_000, 10), ingestTs: T0 + 10 })).toBe("future");
    expect(a.apply(trade("X", T0 + 500, 10))).toBe("applied");
    expect(a.newest("X")).toBe(T0 + 500);
  });

  it("equals an independent recomputation on a generated stream with late, out-of-order and re-sent trades", {
    timeout: 60_000,
  }, () => {
    const trades = chaosStream(30_000);
    const h = aggregateHistory(trades, opts);
    const plain = plainCandles(trades, [1_000, 10_000, 60_000], 2_000);
    expect(h.counts.applied).toBe(plain.applied.length);
    expect(h.counts.late + h.counts.duplicate).toBe(plain.late.length + plain.duplicates.length);
    expect(h.counts.late).toBeGreaterThan(100);
    expect(h.counts.duplicate).toBeGreaterThan(300);
    // Volume is summed in arrival order by both, so even the floating-point sums agree exactly.
    expect(sorted(h.closed)).toEqual(plain.closed);
    expect(h.closed.length).toBeGreaterThan(100);
  });

  it("resumes from a saved state (through JSON) to the same candles as an uninterrupted run, wherever it stops", {
    timeout: 60_000,
  }, () => {
    const trades = chaosStream(8_000, 11);
    const whole = aggregateHistory(trades, opts);
    for (const cut of [1, 777, 4_000, 7_999]) {
      const first = new CandleAggregator(opts);
      for (const t of trades.slice(0, cut)) first.apply(t);
      const closed = first.drainClosed();
      const state = JSON.parse(JSON.stringify(first.toJSON()));
      const resumed = CandleAggregator.fromJSON(state, opts);
      for (const t of trades.slice(cut)) resumed.apply(t);
      expect([...closed, ...resumed.drainClosed()], `cut at ${cut}`).toEqual(whole.closed);
      expect(resumed.openWindows()).toEqual(whole.aggregator.openWindows());
    }
  });

  it("refuses a saved state taken under other settings", () => {
    const a = new CandleAggregator(opts);
    a.apply(trade("X", T0, 10));
    expect(() => CandleAggregator.fromJSON(a.toJSON(), { ...opts, allowedLatenessMs: 5_000 })).toThrow(
      /lateness 2000 ms.*configured.*lateness 5000 ms/,
    );
    expect(() => CandleAggregator.fromJSON(a.toJSON(), { ...opts, widths: parseWidths("1s") })).toThrow(/widths/);
  });

  it("hands out the forming candle of every width of the symbols touched since the last call", () => {
    const a = new CandleAggregator(opts);
    a.apply(trade("X", T0 + 100, 10));
    a.apply(trade("Y", T0 + 200, 20));
    expect(a.drainForming().map((c) => [c.symbol, c.width])).toEqual([
      ["X", 1_000],
      ["X", 10_000],
      ["X", 60_000],
      ["Y", 1_000],
      ["Y", 10_000],
      ["Y", 60_000],
    ]);
    const snap = a.drainForming();
    expect(snap).toEqual([]);
    a.apply(trade("X", T0 + 1_100, 11));
    const forming = a.drainForming();
    expect(forming.map((c) => [c.width, c.start, c.close])).toEqual([
      [1_000, T0 + 1_000, 11],
      [10_000, T0, 11],
      [60_000, T0, 11],
    ]);
    a.apply(trade("X", T0 + 1_200, 12));
    expect(forming[0]!.close).toBe(11); // a snapshot: later trades do not change it
  });
});
