// Multi-timeframe rollups: 5m, 1h and 1d bars built in event time from the finest scraped interval of a symbol
// (1m for crypto, 5m for intraday equities), enriched like scraped bars and stored in `bars_rollup` (source
// `rollup`).
//
// - Windows: 5m and 1h aligned to the UTC epoch; 1d = the UTC day for crypto, the exchange trading date (the
//   bar's `tradingDate`) otherwise. Every level is aggregated straight from the source bars (the windows nest, so
//   this equals 1m -> 5m -> 1h -> 1d): OHLC = first open / max high / min low / last close, volume = sum, ingestTs =
//   the latest of the window.
// - Watermark = the newest source ts seen (the series' last bar) - allowed lateness (2 source intervals). A window
//   closes once the watermark reaches its end; only then is its rollup bar folded into the rollup series'
//   BarIndicators and written (the open window lives in the checkpoint, never in MongoDB).
// - Each window keeps the aggregate of its bars before the last one plus the last bar, so the last source bar can
//   be replaced (a partial bar followed by its final one) exactly.
// - A source bar older than the series' last bar (late, or a correction) goes through the stream's late path: the
//   source series is recomputed from its origin and so are its rollups (`rollupHistory`), rewriting every rollup
//   document from the late bar's window on. Within the allowed lateness no closed window is touched.
import {
  type AssetClass,
  type Bar,
  type BarDocument,
  barId,
  DAY_MS,
  dateToEpochMs,
  epochMsToDate,
  INTERVAL_MS,
  type Interval,
  indicatorBar,
  isoUtc,
  toBarDocument,
  UNIVERSE,
} from "@quant/core";
import { BarIndicators, type BarIndicatorsState, InvalidInputError } from "@quant/indicators";
import { indicatorOptionsFor } from "./series.ts";

/** Rollup intervals, finest first. */
export const ROLLUP_INTERVALS: readonly Interval[] = ["5m", "1h", "1d"];

const INTRADAY: readonly Interval[] = ["1m", "5m", "15m", "1h"];

/**
 * The interval rollups of an asset class are built from: the finest intraday interval it is scraped at
 * (UNIVERSE: crypto 1m, equities 5m; bonds have none). A symbol scraped at 1m and 5m gets its rollups from 1m only.
 */
export function rollupSourceInterval(assetClass: AssetClass): Interval | null {
  let finest: Interval | null = null;
  for (const spec of Object.values(UNIVERSE)) {
    if (spec.assetClass !== assetClass) continue;
    for (const i of spec.intervals)
      if (INTRADAY.includes(i) && (finest === null || INTERVAL_MS[i] < INTERVAL_MS[finest])) finest = i;
  }
  return finest;
}

/** The rollup intervals built from a series (none unless it is its asset class's rollup source). */
export function rollupTargets(assetClass: AssetClass, interval: Interval): Interval[] {
  if (rollupSourceInterval(assetClass) !== interval) return [];
  return ROLLUP_INTERVALS.filter((i) => INTERVAL_MS[i] > INTERVAL_MS[interval]);
}

/** How far behind the newest source bar a bar may arrive and still fall into an open window. */
export function allowedLatenessMs(source: Interval): number {
  return 2 * INTERVAL_MS[source];
}

/**
 * A trading-date window ends, for closing purposes, at 12:00 UTC of the next day: the latest a local day ends in
 * any exchange time zone (UTC-12), so a bar of the date never arrives after its window closed in time order.
 */
const TRADING_DAY_END_MS = DAY_MS + 12 * 3_600_000;

export interface RollupWindow {
  /** Window start (the rollup bar's ts), epoch ms. */
  start: number;
  /** The watermark closes the window once it reaches this, epoch ms. */
  end: number;
  tradingDate: string;
}

/** The window of a source bar at a rollup interval. */
export function windowOf(
  target: Interval,
  bar: Pick<Bar, "assetClass" | "tradingDate"> & { ts: number },
): RollupWindow {
  if (target === "1d") {
    if (bar.assetClass === "crypto") {
      const start = Math.floor(bar.ts / DAY_MS) * DAY_MS;
      return { start, end: start + DAY_MS, tradingDate: epochMsToDate(start) };
    }
    const start = dateToEpochMs(bar.tradingDate);
    return { start, end: start + TRADING_DAY_END_MS, tradingDate: bar.tradingDate };
  }
  const ms = INTERVAL_MS[target];
  const start = Math.floor(bar.ts / ms) * ms;
  return { start, end: start + ms, tradingDate: bar.tradingDate };
}

interface Agg {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Latest ingestTs of the bars, epoch ms. */
  ingestTs: number;
}

interface Piece extends Agg {
  ts: number;
}

interface OpenWindow extends RollupWindow {
  currency: string;
  exchange: string;
  /** The bars before the last one, merged (null while the window has one bar). */
  base: Agg | null;
  last: Piece;
}

interface Level {
  interval: Interval;
  indicators: BarIndicators;
  /** ts of the last rollup bar emitted (closed window), or null. */
  lastTs: number | null;
  /** Open windows in start order (at most a few: the lateness keeps the previous one open for a while). */
  windows: OpenWindow[];
}

interface LevelJSON {
  interval: Interval;
  lastTs: number | null;
  indicators: BarIndicatorsState;
  windows: OpenWindow[];
}

export interface RollupStateJSON {
  v: 1;
  levels: LevelJSON[];
}

const merge = (a: Agg, b: Agg): Agg => ({
  open: a.open,
  high: Math.max(a.high, b.high),
  low: Math.min(a.low, b.low),
  close: b.close,
  volume: a.volume + b.volume,
  ingestTs: Math.max(a.ingestTs, b.ingestTs),
});

const pieceOf = (b: Bar): Piece => ({ ...indicatorBar(b), ingestTs: Date.parse(b.ingestTs) });

/** The rollup state of one source series: an open-window list and a BarIndicators per rollup interval. */
export class SeriesRollups {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly source: Interval;
  readonly latenessMs: number;
  private readonly levels: Level[];

  private constructor(symbol: string, assetClass: AssetClass, source: Interval, levels: Level[]) {
    this.symbol = symbol;
    this.assetClass = assetClass;
    this.source = source;
    this.latenessMs = allowedLatenessMs(source);
    this.levels = levels;
  }

  /** Fresh rollups of a series, or null when the series is not a rollup source. */
  static create(symbol: string, assetClass: AssetClass, source: Interval): SeriesRollups | null {
    const targets = rollupTargets(assetClass, source);
    if (targets.length === 0) return null;
    return new SeriesRollups(
      symbol,
      assetClass,
      source,
      targets.map((interval) => ({
        interval,
        indicators: new BarIndicators(indicatorOptionsFor(assetClass, interval)),
        lastTs: null,
        windows: [],
      })),
    );
  }

  static fromJSON(symbol: string, assetClass: AssetClass, source: Interval, json: string): SeriesRollups {
    const st = JSON.parse(json) as RollupStateJSON;
    if (st.v !== 1) throw new Error(`unknown rollup state version ${String(st.v)}`);
    return new SeriesRollups(
      symbol,
      assetClass,
      source,
      st.levels.map((l) => ({
        interval: l.interval,
        lastTs: l.lastTs,
        windows: l.windows,
        indicators: BarIndicators.fromJSON(l.indicators, indicatorOptionsFor(assetClass, l.interval).session),
      })),
    );
  }

  toJSON(): string {
    const st: RollupStateJSON = {
      v: 1,
      levels: this.levels.map((l) => ({
        interval: l.interval,
        lastTs: l.lastTs,
        indicators: l.indicators.toJSON(),
        windows: l.windows,
      })),
    };
    return JSON.stringify(st);
  }

  get intervals(): Interval[] {
    return this.levels.map((l) => l.interval);
  }

  /** A source bar after the series' last one. */
  add(bar: Bar): void {
    const p = pieceOf(bar);
    for (const l of this.levels) {
      const w = windowOf(l.interval, { ...bar, ts: p.ts });
      const open = l.windows[l.windows.length - 1];
      if (open && open.start === w.start) {
        open.base = open.base ? merge(open.base, open.last) : open.last;
        open.last = p;
        continue;
      }
      if ((open && open.start > w.start) || (l.lastTs !== null && w.start <= l.lastTs))
        throw new Error(`rollup ${this.symbol} ${l.interval}: bar ${bar.id} falls into a window already passed`);
      l.windows.push({ ...w, currency: bar.currency, exchange: bar.exchange, base: null, last: p });
    }
  }

  /** The series' last source bar again, with new content (the final bar after a partial one, a correction). */
  replaceLast(bar: Bar): void {
    const p = pieceOf(bar);
    for (const l of this.levels) {
      const open = l.windows[l.windows.length - 1];
      if (!open || open.last.ts !== p.ts)
        throw new Error(`rollup ${this.symbol} ${l.interval}: ${bar.id} is not the last bar of an open window`);
      open.last = p;
    }
  }

  /**
   * Closes the windows the watermark (newest source ts - allowed lateness) has passed: each becomes a rollup bar,
   * folded into its rollup series and returned as a document.
   */
  advance(newestTs: number, processedTs: Date): BarDocument[] {
    const watermark = newestTs - this.latenessMs;
    const out: BarDocument[] = [];
    for (const l of this.levels) {
      while (l.windows.length > 0 && l.windows[0]!.end <= watermark) {
        const w = l.windows.shift()!;
        const bar = this.barOf(l.interval, w);
        let v: ReturnType<BarIndicators["update"]>;
        try {
          v = l.indicators.update(indicatorBar(bar));
        } catch (err) {
          // Rollups of valid bars are valid: a refusal here is a bug, never the source message's fault.
          if (err instanceof InvalidInputError) throw new Error(`rollup ${bar.id} refused: ${err.message}`);
          throw err;
        }
        l.lastTs = w.start;
        out.push(toBarDocument(bar, v, l.indicators.warm, processedTs));
      }
    }
    return out;
  }

  /** The earliest rollup ts a late source bar can change, per rollup interval. */
  affectedFrom(bar: Pick<Bar, "assetClass" | "tradingDate"> & { ts: number }): Map<Interval, number> {
    return new Map(this.levels.map((l) => [l.interval, windowOf(l.interval, bar).start]));
  }

  private barOf(interval: Interval, w: OpenWindow): Bar {
    const a = w.base ? merge(w.base, w.last) : w.last;
    const ts = isoUtc(w.start);
    return {
      v: 1,
      id: barId({ symbol: this.symbol, interval, ts }),
      symbol: this.symbol,
      assetClass: this.assetClass,
      interval,
      ts,
      tradingDate: w.tradingDate,
      open: a.open,
      high: a.high,
      low: a.low,
      close: a.close,
      adjClose: null,
      volume: a.volume,
      currency: w.currency,
      exchange: w.exchange,
      source: "rollup",
      ingestTs: new Date(a.ingestTs).toISOString(),
      partial: false,
    };
  }
}

/**
 * The rollups of a whole source series (in ts order, one bar per ts, from its origin): the documents of every
 * window the final watermark closed, and the state holding the windows still open. The stream's late and rebuild
 * paths and the batch processor use this; it equals feeding the bars one by one.
 */
export function rollupHistory(
  bars: readonly Bar[],
  processedTs: Date,
): { rollups: SeriesRollups | null; docs: BarDocument[] } {
  const first = bars[0];
  const rollups = first ? SeriesRollups.create(first.symbol, first.assetClass, first.interval) : null;
  if (!rollups) return { rollups: null, docs: [] };
  const docs: BarDocument[] = [];
  for (const b of bars) {
    rollups.add(b);
    for (const d of rollups.advance(Date.parse(b.ts), processedTs)) docs.push(d);
  }
  return { rollups, docs };
}
