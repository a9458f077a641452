// Trade candles recomputed from the trade lake: every symbol of the request from its first archived trade, in arrival
// (partition, offset) order, through the aggregator's own rules (CandleRules, the same environment variables), into
// candle documents; closed 1m candles as bars through the bars' enrichment and rollups, as the stream processor
// gets them from the aggregator. Documents are kept when their date (candles: UTC date of ts; bars: trading date)
// is in range.
import {
  type BarDocument,
  type CandleDocument,
  LAKE_TRADES_PREFIX,
  type Logger,
  type ObjectStore,
  orderTradeRows,
  parseTradeObjectKey,
  readTradesParquet,
  type TradeAssetClass,
  type TradeRow,
} from "@quant/core";
import { enrichSeries, orderSeries, rollupHistory } from "@quant/enrich";
import {
  aggregateHistory,
  BAR_WIDTH_MS,
  type CandleRules,
  candleBar,
  candleDocument,
  type Outcome,
} from "@quant/trades";
import type { RangeRequest } from "./args.ts";

export interface TradeSeries {
  assetClass: TradeAssetClass;
  symbol: string;
  /** Object keys up to `to`, in date order. */
  objects: { key: string; date: string }[];
}

export interface TradeSeriesResult {
  series: TradeSeries;
  candles: CandleDocument[];
  /** Enriched bars of the 1m candles (bars_intraday, source trades). */
  bars: BarDocument[];
  rollups: BarDocument[];
  counts: Record<Outcome, number>;
}

const TRADE_CLASSES: readonly TradeAssetClass[] = ["crypto", "equity"];

export async function listTradeSeries(store: ObjectStore, req: RangeRequest): Promise<TradeSeries[]> {
  // Trade candles become 1m bars: a request for other intervals only has none.
  if (req.intervals && !req.intervals.includes("1m")) return [];
  const out = new Map<string, TradeSeries>();
  for (const assetClass of TRADE_CLASSES.filter((c) => req.assetClasses.includes(c))) {
    for (const key of await store.list(`${LAKE_TRADES_PREFIX}/asset=${assetClass}/`)) {
      let o: ReturnType<typeof parseTradeObjectKey>;
      try {
        o = parseTradeObjectKey(key);
      } catch {
        continue;
      }
      if ((req.symbols && !req.symbols.includes(o.symbol)) || o.date > req.to) continue;
      const id = `${assetClass}|${o.symbol}`;
      let s = out.get(id);
      if (!s) out.set(id, (s = { assetClass, symbol: o.symbol, objects: [] }));
      s.objects.push({ key, date: o.date });
    }
  }
  const series = [...out.values()].filter((s) => s.objects.some((o) => o.date >= req.from));
  for (const s of series) s.objects.sort((a, b) => a.date.localeCompare(b.date) || a.key.localeCompare(b.key));
  return series.sort((a, b) => a.symbol.localeCompare(b.symbol));
}

/** Every archived trade of the series up to `to`, each (partition, offset) once, in arrival order. */
export async function readTradeHistory(store: ObjectStore, s: TradeSeries): Promise<TradeRow[]> {
  const rows: TradeRow[] = [];
  for (const o of s.objects) for (const r of await readTradesParquet(await store.get(o.key))) rows.push(r);
  return orderTradeRows(rows);
}

export async function* computeTradeRange(
  store: ObjectStore,
  req: RangeRequest,
  opts: { rules: CandleRules; logger: Logger; processedTs?: Date },
): AsyncGenerator<TradeSeriesResult> {
  const processedTs = opts.processedTs ?? new Date();
  const widthOf = new Map(opts.rules.widths.map((w) => [w.ms, w]));
  const from = Date.parse(`${req.from}T00:00:00Z`);
  const to = Date.parse(`${req.to}T00:00:00Z`) + 86_400_000;
  for (const s of await listTradeSeries(store, req)) {
    const h = aggregateHistory(await readTradeHistory(store, s), opts.rules);
    const meta = h.aggregator.meta(s.symbol);
    if (!meta) continue;
    const candles = h.closed
      .filter((c) => c.start >= from && c.start < to)
      .map((c) => candleDocument(c, widthOf.get(c.width)!, meta, processedTs));
    const bars = h.closed.filter((c) => c.width === BAR_WIDTH_MS).map((c) => candleBar(c, meta));
    const enriched = enrichSeries(bars, processedTs);
    for (const r of enriched.rejected)
      opts.logger.warn({ id: r.bar.id, reason: r.reason }, "candle bar refused by the indicators");
    const inRange = (d: BarDocument) => d.tradingDate >= req.from && d.tradingDate <= req.to;
    // Rollups from the accepted bars, as the stream folds only those into the series and its windows.
    const accepted = new Set(enriched.docs.map((d) => d._id));
    const rollups = rollupHistory(orderSeries(bars.filter((b) => accepted.has(b.id))), processedTs).docs;
    yield {
      series: s,
      candles,
      bars: enriched.docs.filter(inRange),
      rollups: rollups.filter(inRange),
      counts: h.counts,
    };
  }
}
