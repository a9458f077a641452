// A Kafka message value -> trade v1, or the reason it cannot be one (the dead letter's kind and message).
import { InvalidTradeError, isTradeV1, parseTrade, Rejection, type Trade } from "@quant/core";

export type TradeRejectKind = "empty" | "json" | "schema";

export class RejectedTrade extends Rejection<TradeRejectKind> {}

export function decodeTrade(value: Buffer | null): Trade {
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
