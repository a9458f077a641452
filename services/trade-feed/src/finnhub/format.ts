// Finnhub's WebSocket trade stream (https://finnhub.io/docs/api/websocket-trades), without I/O:
//   out: {"type":"subscribe","symbol":"AAPL"}  /  {"type":"unsubscribe","symbol":"AAPL"}
//   in:  {"type":"trade","data":[{"s":"AAPL","p":189.2,"t":1704207600123,"v":100,"c":["1","12"]}, …]}
//        {"type":"ping"}   {"type":"error","msg":"…"}
// Finnhub sends no trade id: the source numbers each symbol's trades (see FinnhubTrades).
import type { TradeAssetClass } from "@quant/core";

export const subscribeMessage = (symbol: string): string => JSON.stringify({ type: "subscribe", symbol });
export const unsubscribeMessage = (symbol: string): string => JSON.stringify({ type: "unsubscribe", symbol });

/** One element of a `trade` message, as Finnhub sends it (checked field by field downstream). */
export interface FinnhubPrint {
  s: unknown;
  p: unknown;
  t: unknown;
  v: unknown;
  c?: unknown;
}

export type FinnhubEvent =
  | { type: "trade"; data: FinnhubPrint[] }
  | { type: "ping" }
  | { type: "error"; message: string }
  /** A message of another type (Finnhub adds some, e.g. news): ignored. */
  | { type: "other"; name: string };

export class FinnhubFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FinnhubFormatError";
  }
}

export function parseFinnhubMessage(text: string): FinnhubEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FinnhubFormatError(`invalid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new FinnhubFormatError("expected a JSON object");
  const m = json as Record<string, unknown>;
  switch (m.type) {
    case "trade":
      if (!Array.isArray(m.data)) throw new FinnhubFormatError("trade message without a data array");
      if (m.data.some((d) => typeof d !== "object" || d === null || Array.isArray(d)))
        throw new FinnhubFormatError("trade data holds something that is not an object");
      return { type: "trade", data: m.data as FinnhubPrint[] };
    case "ping":
      return { type: "ping" };
    case "error":
      return { type: "error", message: String(m.msg ?? "(no message)") };
    default:
      if (typeof m.type !== "string") throw new FinnhubFormatError("message without a type");
      return { type: "other", name: m.type };
  }
}

/**
 * What Finnhub's symbol says about the instrument: `EXCHANGE:PAIR` is its crypto form (BINANCE:BTCUSDT), a plain
 * ticker a US equity. The quote currency of a pair is read from its known suffixes; when none matches it is
 * `UNKNOWN` rather than a guess.
 */
export function finnhubInstrument(symbol: string): { assetClass: TradeAssetClass; exchange: string; currency: string } {
  const colon = symbol.indexOf(":");
  if (colon < 0) return { assetClass: "equity", exchange: "US", currency: "USD" };
  const pair = symbol.slice(colon + 1).toUpperCase();
  const quote = ["USDT", "USDC", "BUSD", "FDUSD", "USD", "EUR", "GBP", "BTC", "ETH"].find(
    (q) => pair.endsWith(q) && pair.length > q.length,
  );
  return {
    assetClass: "crypto",
    exchange: symbol.slice(0, colon).toUpperCase() || "FINNHUB",
    currency: quote ?? "UNKNOWN",
  };
}

/**
 * Finnhub prints -> trade messages v1. Ids are `<session>-<n>`: n counts a symbol's prints since this feed started
 * (session = its start time in base 36), so they are unique per symbol and never repeat across restarts. Fields are
 * carried as Finnhub sent them: a print that breaks the trade schema (a zero volume, a missing price) is produced
 * anyway and dead-lettered with its reason by the aggregator, not dropped here.
 */
export class FinnhubTrades {
  private readonly session: string;
  private readonly counts = new Map<string, number>();

  constructor(startedAt: number) {
    this.session = startedAt.toString(36);
  }

  toTrade(p: FinnhubPrint, ingestTs: number): { key: string; trade: Record<string, unknown> } {
    const symbol = typeof p.s === "string" ? p.s : String(p.s);
    const n = (this.counts.get(symbol) ?? 0) + 1;
    this.counts.set(symbol, n);
    return {
      key: symbol,
      trade: {
        v: 1,
        symbol,
        ...finnhubInstrument(symbol),
        ts: p.t,
        ingestTs,
        price: p.p,
        size: p.v,
        id: `${this.session}-${n}`,
        conditions: p.c ?? [],
        source: "finnhub",
      },
    };
  }
}
