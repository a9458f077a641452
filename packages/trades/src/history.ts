// The batch form: a whole trade history (arrival order) through a fresh aggregator. The batch recomputation from
// the lake and the tests use it; the stream gets the same candles feeding the same trades one by one.
import type { Trade } from "@quant/core";
import { type AggregatorOptions, CandleAggregator, type Outcome } from "./aggregator.ts";
import type { Candle } from "./candle.ts";

export interface AggregatedHistory {
  /** Candles the final watermark closed, in closing order. */
  closed: Candle[];
  aggregator: CandleAggregator;
  counts: Record<Outcome, number>;
  /** The trades refused as late or future (the stream dead-letters these). */
  refused: { trade: Trade; outcome: "late" | "future" }[];
}

export function aggregateHistory(trades: Iterable<Trade>, opts: AggregatorOptions): AggregatedHistory {
  const aggregator = new CandleAggregator(opts);
  const counts: Record<Outcome, number> = { applied: 0, duplicate: 0, late: 0, future: 0 };
  const refused: AggregatedHistory["refused"] = [];
  for (const t of trades) {
    const outcome = aggregator.apply(t);
    counts[outcome]++;
    if (outcome === "late" || outcome === "future") refused.push({ trade: t, outcome });
  }
  return { closed: aggregator.drainClosed(), aggregator, counts, refused };
}
