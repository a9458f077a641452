// The synthetic trade generator: deterministic by seed, pure (the trade-feed service paces it and sends it).
//
// - Arrivals: a Poisson process with bursts (arrivals.ts) at a mean rate over all symbols; each arrival goes to a
//   symbol drawn with weight 1/sqrt(rank) (a few busy symbols, a tail of quieter ones).
// - Prices: per symbol a GBM mid (volatility and drift of the asset class, as the synthetic bars), a trade on either
//   side of it at half a spread, rounded to the tick. Sizes: Pareto (size.ts).
// - ids: `<start in base 36>-<n>`, n counting the symbol's trades: unique per symbol and run, repeated by a re-send.
// - Chaos (chaos.ts) draws from a random stream of its own: with the same seed, the trades are the same with or
//   without chaos; chaos only changes when (and whether more than once) they are delivered.
import type { Trade, TradeAssetClass } from "@quant/core";
import { ASSET_PROFILES, hashSeed, rng } from "@quant/synthetic";
import { Arrivals, type BurstOptions, DEFAULT_BURSTS } from "./arrivals.ts";
import { type ChaosRates, CORRUPTIONS, type Corruption, NO_CHAOS } from "./chaos.ts";
import { TimeHeap } from "./heap.ts";
import { GbmMid, tradePrice } from "./price.ts";
import { paretoSize, SIZE_LAWS } from "./size.ts";

export interface SymbolSpec {
  symbol: string;
  assetClass: TradeAssetClass;
}

export interface GeneratorOptions {
  seed: number;
  symbols: readonly SymbolSpec[];
  /** Mean trades per second over all symbols (bursts included). */
  ratePerSecond: number;
  /** Event time of the start, epoch ms. */
  start: number;
  /** Trades happen in [start, start + durationMs); delayed deliveries may come later. Default: no end. */
  durationMs?: number;
  chaos?: ChaosRates;
  /** The aggregator's allowed lateness, which chaos aims around (out-of-order within it, late beyond). */
  allowedLatenessMs?: number;
  bursts?: BurstOptions;
}

/** A trade as generated: the sender stamps ingestTs when it sends it. */
export type GeneratedTrade = Omit<Trade, "ingestTs">;

export type ChaosKind = "late" | "out-of-order" | "duplicate";

export type Emission =
  | { kind: "trade"; at: number; trade: GeneratedTrade; chaos: ChaosKind | null }
  | { kind: "corrupt"; at: number; symbol: string; value: string; corruption: Corruption };

export interface GeneratorCounts {
  /** Distinct trades generated. */
  trades: number;
  late: number;
  outOfOrder: number;
  duplicate: number;
  corrupt: number;
}

/** Half spreads around the mid, as a fraction of it. */
const HALF_SPREAD: Record<TradeAssetClass, number> = { crypto: 0.0001, equity: 0.0002 };

interface SymbolMarket {
  spec: SymbolSpec;
  mid: GbmMid;
  next: () => number;
  n: number;
}

export class TradeGenerator {
  readonly counts: GeneratorCounts = { trades: 0, late: 0, outOfOrder: 0, duplicate: 0, corrupt: 0 };
  private readonly arrivals: Arrivals;
  private readonly pick: () => number;
  private readonly chaosNext: () => number;
  private readonly markets: SymbolMarket[];
  private readonly cumulative: number[];
  private readonly end: number;
  private readonly chaos: ChaosRates;
  private readonly lateness: number;
  private readonly runTag: string;
  private readonly delayed = new TimeHeap<Emission>();

  constructor(opts: GeneratorOptions) {
    if (opts.symbols.length === 0) throw new Error("the generator needs at least one symbol");
    const seed = opts.seed;
    this.arrivals = new Arrivals(
      opts.ratePerSecond,
      opts.start,
      rng(hashSeed(seed, "arrivals")),
      opts.bursts ?? DEFAULT_BURSTS,
    );
    this.pick = rng(hashSeed(seed, "symbols"));
    this.chaosNext = rng(hashSeed(seed, "chaos"));
    this.end = opts.start + (opts.durationMs ?? Number.POSITIVE_INFINITY);
    this.chaos = opts.chaos ?? NO_CHAOS;
    this.lateness = opts.allowedLatenessMs ?? 2_000;
    this.runTag = Math.floor(opts.start).toString(36);
    this.markets = opts.symbols.map((spec) => {
      const p = ASSET_PROFILES[spec.assetClass];
      const [lo, hi] = p.priceRange;
      const level = lo * (hi / lo) ** rng(hashSeed(seed, spec.symbol, "level"))();
      return {
        spec,
        mid: new GbmMid(level, opts.start, p.drift, p.volatility),
        next: rng(hashSeed(seed, spec.symbol, "market")),
        n: 0,
      };
    });
    let total = 0;
    this.cumulative = this.markets.map((_, k) => (total += 1 / Math.sqrt(k + 1)));
    for (let k = 0; k < this.cumulative.length; k++) this.cumulative[k]! /= total;
  }

  /** The next delivery in time order, or null once the duration is over and every delayed delivery is out. */
  next(): Emission | null {
    for (;;) {
      const arrival = this.arrivals.peek();
      if (this.delayed.size > 0 && (this.delayed.peekAt() <= arrival || arrival >= this.end))
        return this.delayed.pop()!;
      if (arrival >= this.end) return null;
      this.arrivals.take();
      const now = this.deliver(this.generate(Math.floor(arrival)));
      if (now) return now;
    }
  }

  private generate(ts: number): GeneratedTrade {
    const u = this.pick();
    let k = 0;
    while (k < this.cumulative.length - 1 && u > this.cumulative[k]!) k++;
    const m = this.markets[k]!;
    const mid = m.mid.at(ts, m.next);
    const price = tradePrice(mid, HALF_SPREAD[m.spec.assetClass], m.next() < 0.5);
    const size = paretoSize(SIZE_LAWS[m.spec.assetClass], m.next);
    m.n++;
    this.counts.trades++;
    return {
      v: 1,
      symbol: m.spec.symbol,
      assetClass: m.spec.assetClass,
      exchange: "SYNTHETIC",
      currency: "USD",
      ts,
      price,
      size,
      id: `${this.runTag}-${m.n}`,
      conditions: [],
      source: "synthetic",
    };
  }

  /** The emission of a fresh trade now, or null when chaos delays its delivery. */
  private deliver(trade: GeneratedTrade): Emission | null {
    const c = this.chaos;
    const r = this.chaosNext;
    if (c.corrupt > 0 && r() < c.corrupt) {
      const corruption = CORRUPTIONS[Math.floor(r() * CORRUPTIONS.length)]!;
      this.counts.corrupt++;
      this.delayed.push(trade.ts, {
        kind: "corrupt",
        at: trade.ts,
        symbol: trade.symbol,
        value: corruption.make({ ...trade, ingestTs: trade.ts }),
        corruption,
      });
    }
    const u = r();
    const L = this.lateness;
    if (u < c.late) {
      this.counts.late++;
      // Well past the lateness: 1 to 4 s more than allowed.
      const at = trade.ts + L + 1_000 + Math.floor(r() * 3_000);
      this.delayed.push(at, { kind: "trade", at, trade, chaos: "late" });
    } else if (u < c.late + c.outOfOrder) {
      this.counts.outOfOrder++;
      // Behind later trades, but within the lateness: 20 % to 80 % of it.
      const at = trade.ts + Math.floor(L * (0.2 + 0.6 * r()));
      this.delayed.push(at, { kind: "trade", at, trade, chaos: "out-of-order" });
    } else if (u < c.late + c.outOfOrder + c.duplicate) {
      this.counts.duplicate++;
      const at = trade.ts + Math.floor(L * 0.5 * r());
      this.delayed.push(at, { kind: "trade", at, trade, chaos: "duplicate" });
      return { kind: "trade", at: trade.ts, trade, chaos: null };
    } else {
      return { kind: "trade", at: trade.ts, trade, chaos: null };
    }
    return null;
  }
}
