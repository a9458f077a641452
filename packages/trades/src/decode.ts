// A Kafka message (value and key) -> trade v1, or the reason it cannot be one (the dead letter's kind and message).
import { InvalidTradeError, isTradeV1, parseTrade, Rejection, symbolKeyMismatch, type Trade } from "@quant/core";

export type TradeRejectKind = "empty" | "json" | "schema" | "key";

export class RejectedTrade extends Rejection<TradeRejectKind> {}

/**
 * The key must be the trade's symbol: a symbol's trades live in one partition, under one aggregator state. A trade
 * keyed otherwise (another symbol's key, none) lands in another partition, where it would open a second state for
 * its symbol whose candles and forming candle overwrite the real ones.
 */
export function decodeTrade(value: Buffer | null, key: string | null): Trade {
  const trade = decodeValue(value);
  const keyMismatch = symbolKeyMismatch(key, trade.symbol, "trade");
  if (keyMismatch) throw new RejectedTrade("key", keyMismatch);
  return trade;
}

function decodeValue(value: Buffer | null): Trade {
  if (!value || value.length === 0) throw new RejectedTrade("empty", "empty message value");
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch (err) {
    throw new RejectedTrade("json", `invalid JSON: ${(err as Error).message}`);
  }
  // The hot path: one pass of plain checks; zod only for what they refuse (to name the field, or to default it).
  if (isTradeV1(json)) return json;
  try {
    return parseTrade(json);
  } catch (err) {
    if (err instanceof InvalidTradeError) throw new RejectedTrade("schema", err.message);
    throw err;
  }
}
