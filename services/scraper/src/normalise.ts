// Yahoo chart result (array form) -> bar v1 messages and corporate events, with every dropped bar counted.
import {
  type AssetClass,
  type Bar,
  type BarSource,
  type CorporateEvent,
  dateInZone,
  INTERVAL_MS,
  type Interval,
  InvalidBarError,
  isoUtc,
  makeBar,
} from "@quant/core";
import type { ChartWindow } from "./chunking.ts";

/** The subset of yahoo-finance2's ChartResultArray we read (kept structural so tests can build one). */
export interface ChartLike {
  meta: {
    currency?: string | null;
    exchangeName?: string | null;
    exchangeTimezoneName?: string | null;
    currentTradingPeriod?: { regular?: { start?: Date; end?: Date } };
  };
  quotes: Array<{
    date: Date;
    open: number | null;
    high: number | null;
    low: number | null;
    close: number | null;
    volume: number | null;
    adjclose?: number | null;
  }>;
  events?: {
    dividends?: Array<{ amount: number; date: Date }>;
    splits?: Array<{ date: Date; numerator: number; denominator: number }>;
  };
}

export interface NormaliseContext {
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
  source: BarSource;
  window: ChartWindow;
  /** Time of the scrape: the newest bar is partial when it has not closed yet. */
  now: number;
  ingestTs: string;
}

export interface Normalised {
  bars: Bar[];
  events: CorporateEvent[];
  /** Bars whose OHLC are all null (Yahoo's placeholder for a missing bar): counted, not emitted. */
  nullBars: string[];
  /** Bars with some fields null: counted and reported, never emitted as zeros. */
  partialNullBars: string[];
  /** Bars failing the bar v1 schema (e.g. high < low): counted with the reason, not emitted. */
  invalidBars: { ts: string; reason: string }[];
  /** Bars outside the requested window (Yahoo appends the live price bar; recordings may be wider). */
  outsideWindow: number;
}

const FIELDS = ["open", "high", "low", "close", "volume"] as const;

/** Nothing yet: no bar, no event, nothing dropped. */
export function emptyNormalised(): Normalised {
  return { bars: [], events: [], nullBars: [], partialNullBars: [], invalidBars: [], outsideWindow: 0 };
}

export function normaliseChart(chart: ChartLike, ctx: NormaliseContext): Normalised {
  const tz = chart.meta.exchangeTimezoneName || "UTC";
  const currency = chart.meta.currency || "USD";
  const exchange = chart.meta.exchangeName || "UNKNOWN";
  const out = emptyNormalised();
  const inWindow = (ms: number) => ms >= ctx.window.startMs && ms < ctx.window.endMs;
  const regularEnd = chart.meta.currentTradingPeriod?.regular?.end?.getTime();

  for (const q of chart.quotes) {
    const ms = q.date.getTime();
    if (!inWindow(ms)) {
      out.outsideWindow++;
      continue;
    }
    const ts = isoUtc(ms);
    const nulls = FIELDS.filter((f) => q[f] === null || q[f] === undefined);
    if (nulls.length === FIELDS.length || (nulls.length === FIELDS.length - 1 && !nulls.includes("volume"))) {
      out.nullBars.push(ts);
      continue;
    }
    if (nulls.length > 0) {
      out.partialNullBars.push(`${ts} (${nulls.join(",")} null)`);
      continue;
    }
    // Still forming: the bar's interval has not ended yet (for daily bars: the session has not closed).
    let barEnd = ms + INTERVAL_MS[ctx.interval];
    if (ctx.interval === "1d" && regularEnd !== undefined && regularEnd > ms && regularEnd < barEnd)
      barEnd = regularEnd;
    try {
      out.bars.push(
        makeBar({
          symbol: ctx.symbol,
          assetClass: ctx.assetClass,
          interval: ctx.interval,
          ts,
          tradingDate: dateInZone(ms, tz),
          open: q.open as number,
          high: q.high as number,
          low: q.low as number,
          close: q.close as number,
          adjClose: q.adjclose ?? null,
          volume: q.volume as number,
          currency,
          exchange,
          source: ctx.source,
          ingestTs: ctx.ingestTs,
          partial: barEnd > ctx.now,
        }),
      );
    } catch (err) {
      if (!(err instanceof InvalidBarError)) throw err;
      out.invalidBars.push({ ts, reason: err.message });
    }
  }

  const event = (type: CorporateEvent["type"], date: Date, fields: Partial<CorporateEvent>): CorporateEvent => ({
    symbol: ctx.symbol,
    assetClass: ctx.assetClass,
    type,
    ts: isoUtc(date.getTime()),
    exDate: dateInZone(date.getTime(), tz),
    amount: null,
    numerator: null,
    denominator: null,
    currency,
    source: ctx.source,
    ingestTs: ctx.ingestTs,
    ...fields,
  });
  for (const d of chart.events?.dividends ?? [])
    if (inWindow(d.date.getTime())) out.events.push(event("dividend", d.date, { amount: d.amount }));
  for (const s of chart.events?.splits ?? [])
    if (inWindow(s.date.getTime()))
      out.events.push(event("split", s.date, { numerator: s.numerator, denominator: s.denominator }));
  return out;
}
