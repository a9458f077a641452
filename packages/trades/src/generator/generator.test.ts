import { describe, expect, it } from "vitest";
import { decodeTrade, RejectedTrade } from "../decode.ts";
import { parseChaos } from "./chaos.ts";
import { type Emission, type GeneratorOptions, TradeGenerator } from "./generator.ts";

const T0 = Date.UTC(2024, 0, 2);
const base: GeneratorOptions = {
  seed: 42,
  symbols: [
    { symbol: "SYN-BTC", assetClass: "crypto" },
    { symbol: "SYN-ETH", assetClass: "crypto" },
    { symbol: "SYN-SOL", assetClass: "crypto" },
    { symbol: "SYN-AAPL", assetClass: "equity" },
  ],
  ratePerSecond: 1_000,
  start: T0,
  durationMs: 60_000,
};

function all(opts: GeneratorOptions): Emission[] {
  const g = new TradeGenerator(opts);
  const out: Emission[] = [];
  for (let e = g.next(); e; e = g.next()) out.push(e);
  return out;
}

const trades = (es: Emission[]) => es.flatMap((e) => (e.kind === "trade" ? [e] : []));

describe("synthetic trade generator", () => {
  const clean = all(base);

  it("is deterministic by seed and delivers in time order within the duration", { timeout: 60_000 }, () => {
    expect(all(base)).toEqual(clean);
    expect(all({ ...base, seed: 43 })).not.toEqual(clean);
    const at = clean.map((e) => e.at);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(at[0]!).toBeGreaterThanOrEqual(T0);
    expect(at[at.length - 1]!).toBeLessThan(T0 + 60_000);
  });

  it("arrives at the mean rate, in bursts: counts per second vary far more than a plain Poisson process's", () => {
    const n = clean.length;
    expect(n / 60).toBeGreaterThan(600);
    expect(n / 60).toBeLessThan(1_400);
    const perSecond = new Map<number, number>();
    for (const e of clean)
      perSecond.set(Math.floor((e.at - T0) / 1_000), (perSecond.get(Math.floor((e.at - T0) / 1_000)) ?? 0) + 1);
    const counts = [...perSecond.values()];
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length;
    // Poisson: variance = mean. Bursts at 8x the calm rate make it many times larger.
    expect(variance / mean).toBeGreaterThan(20);
  });

  it("gives valid trades: unique ids per symbol, prices on a GBM path rounded to the tick, heavy-tailed sizes", () => {
    const ts = trades(clean).map((e) => e.trade);
    for (const t of ts.slice(0, 2_000))
      expect(decodeTrade(Buffer.from(JSON.stringify({ ...t, ingestTs: t.ts })), t.symbol)).toEqual({
        ...t,
        ingestTs: t.ts,
      });
    const ids = new Set(ts.map((t) => `${t.symbol}|${t.id}`));
    expect(ids.size).toBe(ts.length);
    const btc = ts.filter((t) => t.symbol === "SYN-BTC").map((t) => t.price);
    // At most 6 decimals (the tick of a sub-1 price; 2 decimals from 10 up).
    expect(ts.every((t) => t.price > 0 && Number(t.price.toFixed(6)) === t.price)).toBe(true);
    // A minute of a 75 % annual volatility: the price moves, but by well under 5 %.
    const drift = Math.abs(Math.log(btc[btc.length - 1]! / btc[0]!));
    expect(drift).toBeGreaterThan(0);
    expect(drift).toBeLessThan(0.05);
    const sizes = ts
      .filter((t) => t.assetClass === "crypto")
      .map((t) => t.size)
      .sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    const p999 = sizes[Math.floor(sizes.length * 0.999)]!;
    // Pareto(1.5): the 99.9th percentile is 10^(3/1.5) / 2^(1/1.5) ~ 63 times the median.
    expect(p999 / median).toBeGreaterThan(30);
    expect(sizes[0]!).toBeGreaterThanOrEqual(0.001);
    expect(ts.filter((t) => t.assetClass === "equity").every((t) => Number.isInteger(t.size))).toBe(true);
    // Busier symbols first (weights 1/sqrt(rank)).
    const count = (s: string) => ts.filter((t) => t.symbol === s).length;
    expect(count("SYN-BTC")).toBeGreaterThan(count("SYN-AAPL"));
  });

  it("chaos: the same trades, delivered late, out of order, twice, and with corrupt messages beside them, at the stated rates", {
    timeout: 60_000,
  }, () => {
    const chaos = parseChaos("late=0.01,out-of-order=0.05,duplicate=0.02,corrupt=0.01");
    const g = new TradeGenerator({ ...base, chaos, allowedLatenessMs: 2_000 });
    const es: Emission[] = [];
    for (let e = g.next(); e; e = g.next()) es.push(e);
    const t = trades(es);
    // Every generated trade is delivered; duplicates once more; nothing else changes.
    const byKey = (x: { trade: { symbol: string; id: string } }) => `${x.trade.symbol}|${x.trade.id}`;
    expect(new Set(t.map(byKey))).toEqual(new Set(trades(clean).map(byKey)));
    expect(t.length).toBe(trades(clean).length + g.counts.duplicate);
    const n = g.counts.trades;
    expect(g.counts.late / n).toBeCloseTo(0.01, 2);
    expect(g.counts.outOfOrder / n).toBeCloseTo(0.05, 2);
    expect(g.counts.duplicate / n).toBeCloseTo(0.02, 2);
    expect(g.counts.corrupt / n).toBeCloseTo(0.01, 2);
    for (const e of t) {
      const delay = e.at - e.trade.ts;
      if (e.chaos === "late") expect(delay).toBeGreaterThan(3_000);
      else if (e.chaos === "out-of-order") expect(delay).toBeLessThan(2_000);
      else if (e.chaos === null) expect(delay).toBe(0);
    }
    const at = es.map((e) => e.at);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    // Each corrupt message is refused with the kind it was made for.
    const corrupt = es.flatMap((e) => (e.kind === "corrupt" ? [e] : []));
    expect(corrupt.length).toBe(g.counts.corrupt);
    expect(new Set(corrupt.map((c) => c.corruption.name)).size).toBeGreaterThan(5);
    for (const c of corrupt) {
      let kind = "accepted";
      try {
        decodeTrade(Buffer.from(c.value), c.symbol);
      } catch (err) {
        if (err instanceof RejectedTrade) kind = err.kind;
      }
      expect(kind, c.corruption.name).toBe(c.corruption.kind);
    }
  });

  it("parses the chaos option and names what is wrong", () => {
    expect(parseChaos("late=0.5,corrupt=0.1")).toEqual({ late: 0.5, outOfOrder: 0, duplicate: 0, corrupt: 0.1 });
    expect(() => parseChaos("early=0.1")).toThrow(/name one of late, out-of-order, duplicate, corrupt/);
    expect(() => parseChaos("late=2")).toThrow(/within \[0, 1\]/);
    expect(() => parseChaos("late=0.6,duplicate=0.6")).toThrow(/must not exceed 1/);
  });
});
