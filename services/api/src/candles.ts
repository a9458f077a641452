// Trade candles for the dashboard's live panel: the candles forming now (candles_forming, rewritten by the candle
// aggregator as trades arrive; the panel polls it 5 times a second) and the last closed candles of a symbol and
// width (candles). Strict query validation, as every route.
import {
  type CandleDocument,
  candlesCollection,
  type FormingCandlesDocument,
  formingCandlesCollection,
} from "@quant/core";
import type { FastifyInstance } from "fastify";
import type { Db } from "mongodb";
import { z } from "zod";
import { parseQuery } from "./validation.ts";

/** Trade symbols: the bar symbols' form plus ':' (Finnhub's BINANCE:BTCUSDT). */
const TradeSymbol = z
  .string()
  .regex(/^[A-Z0-9^][A-Z0-9^.=:-]{0,31}$/, "expected a symbol such as SYN-BTC, AAPL or BINANCE:BTCUSDT");
const Width = z.string().regex(/^\d{1,5}[smh]$/, "expected a candle width such as 1s, 10s or 1m");

export const FormingQuery = z.strictObject({ symbol: TradeSymbol.optional() });
export const CandlesQuery = z.strictObject({
  symbol: TradeSymbol,
  width: Width.default("10s"),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, "expected 1 to 1000")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1_000, "expected 1 to 1000")
    .default(120),
});

/** A candle as the API returns it: market fields and provenance, ts as ISO. */
type ApiCandle = Pick<
  CandleDocument,
  "symbol" | "width" | "open" | "high" | "low" | "close" | "volume" | "vwap" | "trades" | "source" | "exchange"
> & { ts: string };

const toApiCandle = (
  d: Pick<CandleDocument, "symbol" | "source" | "exchange">,
  c: FormingCandlesDocument["candles"][number] | CandleDocument,
): ApiCandle => ({
  symbol: d.symbol,
  width: c.width,
  ts: c.ts.toISOString(),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
  volume: c.volume,
  vwap: c.vwap,
  trades: c.trades,
  source: d.source,
  exchange: d.exchange,
});

const widthMs = (w: string) => Number(w.slice(0, -1)) * { s: 1_000, m: 60_000, h: 3_600_000 }[w.slice(-1) as "s"];

export function registerCandleRoutes(app: FastifyInstance, db: Db): void {
  app.get("/api/candles/forming", async (req) => {
    const q = parseQuery(FormingQuery, req.query);
    const docs = await formingCandlesCollection(db)
      .find(q.symbol ? { _id: q.symbol } : {})
      .toArray();
    docs.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return {
      candles: docs.flatMap((d) =>
        [...d.candles]
          .sort((a, b) => widthMs(a.width) - widthMs(b.width))
          .map((c) => ({ ...toApiCandle(d, c), end: c.end.toISOString(), updated: d.processedTs.toISOString() })),
      ),
    };
  });

  app.get("/api/candles", async (req) => {
    const q = parseQuery(CandlesQuery, req.query);
    const docs = await candlesCollection(db)
      .find({ symbol: q.symbol, width: q.width })
      .sort({ ts: -1 })
      .limit(q.limit)
      .toArray();
    return {
      symbol: q.symbol,
      width: q.width,
      count: docs.length,
      candles: docs.reverse().map((d) => toApiCandle(d, d)),
    };
  });
}
