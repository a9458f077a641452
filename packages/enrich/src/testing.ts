// Test helpers of the enrichment (not part of its public surface): an independent, plain computation of rollup
// bars that the tests of the rollups (unit, stream, batch) compare against.
import { type Bar, INTERVAL_MS, type Interval } from "@quant/core";

/**
 * Rollups the plain way, for tests: group a final source series (ts order) by window — 5m/1h on the UTC epoch, 1d by
 * UTC date (crypto) or trading date — keep the windows whose end (1d trading date: next day 12:00 UTC) is at or
 * before the last ts minus 2 source intervals, OHLC = first open/max high/min low/last close, volume = sum.
 */
export function plainRollupBars(source: readonly Bar[], target: Interval): Bar[] {
  const last = source[source.length - 1];
  if (!last) return [];
  const watermark = Date.parse(last.ts) - 2 * INTERVAL_MS[last.interval];
  const groups = new Map<number, { end: number; date: string; bars: Bar[] }>();
  for (const b of source) {
    const t = Date.parse(b.ts);
    let start: number;
    let end: number;
    let date = b.tradingDate;
    if (target === "1d" && b.assetClass === "crypto") {
      start = t - (t % 86_400_000);
      end = start + 86_400_000;
      date = new Date(start).toISOString().slice(0, 10);
    } else if (target === "1d") {
      start = Date.parse(`${b.tradingDate}T00:00:00Z`);
      end = start + 86_400_000 + 43_200_000;
    } else {
      start = t - (t % INTERVAL_MS[target]);
      end = start + INTERVAL_MS[target];
    }
    const g = groups.get(start) ?? { end, date, bars: [] };
    g.bars.push(b);
    groups.set(start, g);
  }
  const out: Bar[] = [];
  for (const [start, g] of [...groups].sort((a, b) => a[0] - b[0])) {
    if (g.end > watermark) continue;
    const ts = new Date(start).toISOString().replace(".000Z", "Z");
    const f = g.bars[0]!;
    out.push({
      ...f,
      id: `${f.symbol}|${target}|${ts}`,
      interval: target,
      ts,
      tradingDate: g.date,
      open: f.open,
      high: Math.max(...g.bars.map((b) => b.high)),
      low: Math.min(...g.bars.map((b) => b.low)),
      close: g.bars[g.bars.length - 1]!.close,
      adjClose: null,
      volume: g.bars.reduce((n, b) => n + b.volume, 0),
      source: "rollup",
      ingestTs: new Date(Math.max(...g.bars.map((b) => Date.parse(b.ingestTs)))).toISOString(),
      partial: false,
    });
  }
  return out;
}
