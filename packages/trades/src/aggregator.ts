// Trades -> candles in event time, per symbol.
//
// - Windows: tumbling, one level per width (1s, 10s, 1m by default), aligned to the UTC epoch.
// - Watermark of a symbol = the newest event time among its applied trades - the allowed lateness. A window closes
//   (its candle is final and emitted, once) when the watermark reaches its end.
// - A trade is, in this order:
//   future     its ts is more than maxFutureMs ahead of its own ingestTs (a broken clock would close every open
//              window and make the whole symbol late): refused;
//   duplicate  its id was applied already (ids are kept while they can matter, see RecentIds): skipped, counted;
//   late       its ts is behind the watermark: refused — every window it belongs to may have closed, and a closed
//              candle is never patched; the caller dead-letters it with reason `late`;
//   applied    otherwise, into its window of every width (all still open: their end > ts >= watermark). An
//              out-of-order trade within the lateness thus updates a candle still forming.
// Decisions depend only on each symbol's trades in arrival order (no wall clock), so replaying the same sequence
// from a saved state gives the same candles: the basis of exactly-once in effect and of the batch recomputation.
import type { Trade } from "@quant/core";
import { Candle, type CandleData, type CandleMeta } from "./candle.ts";
import { type DedupState, RecentIds } from "./dedup.ts";
import { DEFAULT_WIDTHS, type Width, windowStart } from "./width.ts";

export type Outcome = "applied" | "duplicate" | "late" | "future";

export interface AggregatorOptions {
  /** Finest first (parseWidths). */
  widths?: readonly Width[];
  /** How far behind a symbol's newest event time a trade may arrive and still count, ms. */
  allowedLatenessMs: number;
  /** How far a trade's ts may be ahead of its ingestTs, ms. */
  maxFutureMs?: number;
}

export const DEFAULT_MAX_FUTURE_MS = 60_000;

export interface SymbolState {
  symbol: string;
  meta: CandleMeta;
  /** Newest event time applied (null before the first trade). */
  newest: number | null;
  /** Open windows per width (same order as the widths), in start order. */
  open: CandleData[][];
  dedup: DedupState;
}

export interface AggregatorState {
  v: 1;
  widths: number[];
  allowedLatenessMs: number;
  maxFutureMs: number;
  symbols: SymbolState[];
}

class SymbolWindows {
  readonly symbol: string;
  readonly meta: CandleMeta;
  newest = Number.NEGATIVE_INFINITY;
  /** Per width, open windows in start order (a few: the lateness keeps earlier ones open for a while). */
  readonly open: Candle[][];
  ids: RecentIds;
  /** In the touched list since the last drainForming(). */
  touched = false;

  constructor(symbol: string, meta: CandleMeta, levels: number) {
    this.symbol = symbol;
    this.meta = meta;
    this.open = Array.from({ length: levels }, () => []);
    this.ids = new RecentIds();
  }
}

export class CandleAggregator {
  readonly widths: readonly Width[];
  readonly allowedLatenessMs: number;
  readonly maxFutureMs: number;
  private readonly widthMs: number[];
  private readonly symbols = new Map<string, SymbolWindows>();
  /** Candles closed since the last drainClosed(), in closing order (per symbol: by width, then start). */
  private closed: Candle[] = [];
  /** Symbols whose open windows changed since the last drainForming() (a flag on each: no set lookup per trade). */
  private touched: SymbolWindows[] = [];

  constructor(opts: AggregatorOptions) {
    this.widths = opts.widths ?? DEFAULT_WIDTHS;
    this.widthMs = this.widths.map((w) => w.ms);
    this.allowedLatenessMs = opts.allowedLatenessMs;
    this.maxFutureMs = opts.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
  }

  apply(t: Trade): Outcome {
    if (t.ts - t.ingestTs > this.maxFutureMs) return "future";
    let s = this.symbols.get(t.symbol);
    if (s === undefined) {
      s = new SymbolWindows(
        t.symbol,
        { assetClass: t.assetClass, exchange: t.exchange, currency: t.currency, source: t.source },
        this.widthMs.length,
      );
      this.symbols.set(t.symbol, s);
    }
    if (t.ts < s.newest - this.allowedLatenessMs) return s.ids.has(t.id, t.ts) ? "duplicate" : "late";
    if (s.ids.seen(t.id, t.ts)) return "duplicate";
    const widths = this.widthMs;
    for (let i = 0; i < widths.length; i++) {
      const w = widths[i]!;
      const start = windowStart(t.ts, w);
      const windows = s.open[i]!;
      let j = windows.length - 1;
      while (j >= 0 && windows[j]!.start > start) j--;
      if (j >= 0 && windows[j]!.start === start) windows[j]!.add(t);
      else windows.splice(j + 1, 0, Candle.first(t, w, start));
    }
    if (!s.touched) {
      s.touched = true;
      this.touched.push(s);
    }
    if (t.ts > s.newest) {
      s.newest = t.ts;
      this.close(s);
    }
    return "applied";
  }

  /** The watermark of a symbol (-Infinity before its first trade). */
  watermark(symbol: string): number {
    const s = this.symbols.get(symbol);
    return s ? s.newest - this.allowedLatenessMs : Number.NEGATIVE_INFINITY;
  }

  newest(symbol: string): number {
    return this.symbols.get(symbol)?.newest ?? Number.NEGATIVE_INFINITY;
  }

  meta(symbol: string): CandleMeta | undefined {
    return this.symbols.get(symbol)?.meta;
  }

  /** Candles closed since the last call, in closing order; they never change again. */
  drainClosed(): Candle[] {
    const out = this.closed;
    this.closed = [];
    return out;
  }

  /**
   * For each symbol touched since the last call and each width, a snapshot of its newest open window (the candle
   * forming now, or the last one still within the lateness).
   */
  drainForming(): CandleData[] {
    const out: CandleData[] = [];
    for (const s of this.touched) {
      s.touched = false;
      for (const windows of s.open) {
        const last = windows[windows.length - 1];
        if (last) out.push(last.snapshot());
      }
    }
    this.touched = [];
    return out;
  }

  /** Every open window, as plain data (tests, the final state of a batch recomputation). */
  openWindows(): CandleData[] {
    const out: CandleData[] = [];
    for (const s of this.symbols.values())
      for (const windows of s.open) for (const c of windows) out.push(c.snapshot());
    return out;
  }

  /** Tracked symbols and the ids held for duplicate checks (sizes, for logs and tests). */
  stats(): { symbols: number; openWindows: number; recentIds: number } {
    let openWindows = 0;
    let recentIds = 0;
    for (const s of this.symbols.values()) {
      for (const w of s.open) openWindows += w.length;
      recentIds += s.ids.size;
    }
    return { symbols: this.symbols.size, openWindows, recentIds };
  }

  private close(s: SymbolWindows): void {
    const watermark = s.newest - this.allowedLatenessMs;
    for (let i = 0; i < s.open.length; i++) {
      const windows = s.open[i]!;
      const w = this.widthMs[i]!;
      let n = 0;
      while (n < windows.length && windows[n]!.start + w <= watermark) this.closed.push(windows[n++]!);
      if (n > 0) windows.splice(0, n);
    }
    s.ids.prune(watermark);
  }

  toJSON(): AggregatorState {
    return {
      v: 1,
      widths: [...this.widthMs],
      allowedLatenessMs: this.allowedLatenessMs,
      maxFutureMs: this.maxFutureMs,
      symbols: [...this.symbols.values()].map((s) => ({
        symbol: s.symbol,
        meta: s.meta,
        newest: Number.isFinite(s.newest) ? s.newest : null,
        open: s.open.map((windows) => windows.map((c) => c.snapshot())),
        dedup: s.ids.toJSON(),
      })),
    };
  }

  /**
   * Restores a saved state. The widths, lateness and future limit must be the configured ones: a change would alter
   * decisions already taken, so it is refused with a message instead of silently mixing two rules.
   */
  static fromJSON(state: AggregatorState, opts: AggregatorOptions): CandleAggregator {
    if (state.v !== 1) throw new Error(`unknown aggregator state version ${String(state.v)}`);
    const a = new CandleAggregator(opts);
    const saved = `widths ${state.widths.join(",")} ms, lateness ${state.allowedLatenessMs} ms, future ${state.maxFutureMs} ms`;
    const configured = `widths ${a.widthMs.join(",")} ms, lateness ${a.allowedLatenessMs} ms, future ${a.maxFutureMs} ms`;
    if (saved !== configured) throw new Error(`saved window state has ${saved}; configured: ${configured}`);
    for (const st of state.symbols) {
      const s = new SymbolWindows(st.symbol, st.meta, a.widthMs.length);
      s.newest = st.newest ?? Number.NEGATIVE_INFINITY;
      st.open.forEach((windows, i) => {
        s.open[i] = windows.map((c) => new Candle(c));
      });
      s.ids = RecentIds.fromJSON(st.dedup);
      s.ids.prune(s.newest - a.allowedLatenessMs);
      a.symbols.set(st.symbol, s);
    }
    return a;
  }
}
