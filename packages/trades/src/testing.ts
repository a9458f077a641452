// An independent, deliberately plain recomputation of candles for the tests (no shared code with the aggregator):
// walk the trades in arrival order keeping each symbol's newest event time, refuse what is behind it by more than
// the lateness, skip repeated ids, then group the applied trades by window and build OHLCV by sorting on event time.
import type { CandleDocument, Trade } from "@quant/core";
import type { CandleData } from "./candle.ts";
import { parseWidth } from "./width.ts";

export type PlainCandle = Pick<
  CandleData,
  "symbol" | "width" | "start" | "open" | "high" | "low" | "close" | "volume" | "trades"
>;

export interface PlainResult {
  /** Closed by the final watermark of their symbol, sorted by symbol, width, start. */
  closed: PlainCandle[];
  applied: Trade[];
  late: Trade[];
  duplicates: Trade[];
}

export function plainCandles(trades: readonly Trade[], widths: readonly number[], latenessMs: number): PlainResult {
  const newest = new Map<string, number>();
  const seen = new Set<string>();
  const applied: Trade[] = [];
  const late: Trade[] = [];
  const duplicates: Trade[] = [];
  for (const t of trades) {
    const key = `${t.symbol}\u0000${t.id}`;
    const top = newest.get(t.symbol) ?? Number.NEGATIVE_INFINITY;
    if (seen.has(key)) duplicates.push(t);
    else if (t.ts < top - latenessMs) late.push(t);
    else {
      seen.add(key);
      applied.push(t);
      newest.set(t.symbol, Math.max(top, t.ts));
    }
  }
  const groups = new Map<string, Trade[]>();
  for (const t of applied)
    for (const w of widths) {
      const key = `${t.symbol}|${w}|${t.ts - (t.ts % w)}`;
      const g = groups.get(key);
      if (g) g.push(t);
      else groups.set(key, [t]);
    }
  const closed: PlainCandle[] = [];
  for (const [key, g] of groups) {
    const [symbol, w, s] = key.split("|");
    const width = Number(w);
    const start = Number(s);
    if (start + width > (newest.get(symbol!) ?? 0) - latenessMs) continue;
    const byTime = [...g].sort((a, b) => a.ts - b.ts); // stable: arrival order among equal ts
    closed.push({
      symbol: symbol!,
      width,
      start,
      open: byTime[0]!.price,
      high: Math.max(...g.map((t) => t.price)),
      low: Math.min(...g.map((t) => t.price)),
      close: byTime[byTime.length - 1]!.price,
      volume: g.reduce((v, t) => v + t.size, 0),
      trades: g.length,
    });
  }
  closed.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.width - b.width || a.start - b.start);
  return { closed, applied, late, duplicates };
}

/** Stored candle documents in the recomputation's form and order, to compare the two. */
export function plainOfDocuments(docs: readonly CandleDocument[]): PlainCandle[] {
  return docs
    .map((d) => ({
      symbol: d.symbol,
      width: parseWidth(d.width).ms,
      start: d.ts.getTime(),
      open: d.open,
      high: d.high,
      low: d.low,
      close: d.close,
      volume: d.volume,
      trades: d.trades,
    }))
    .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.width - b.width || a.start - b.start);
}
