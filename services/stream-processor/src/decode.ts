// Kafka message -> bar v1, or the reason it cannot be one.
import { type Bar, type IncomingMessage, InvalidBarError, parseBar } from "@quant/core";

export type RejectKind = "empty" | "json" | "schema" | "price" | "indicator";

export class RejectedMessage extends Error {
  readonly kind: RejectKind;
  constructor(kind: RejectKind, message: string) {
    super(message);
    this.name = "RejectedMessage";
    this.kind = kind;
  }
}

/** Beyond these a price is a unit or parsing error, not a market move (yields are percent). */
export const PRICE_LIMITS = { maxPrice: 1e9, minYield: -20, maxYield: 100 } as const;

export function decodeBar(msg: IncomingMessage): Bar {
  if (!msg.value || msg.value.length === 0) throw new RejectedMessage("empty", "empty message value");
  let json: unknown;
  try {
    json = JSON.parse(msg.value.toString("utf8"));
  } catch (err) {
    throw new RejectedMessage("json", `invalid JSON: ${(err as Error).message}`);
  }
  let bar: Bar;
  try {
    bar = parseBar(json);
  } catch (err) {
    if (err instanceof InvalidBarError) throw new RejectedMessage("schema", err.message);
    throw err;
  }
  checkPlausible(bar);
  return bar;
}

function checkPlausible(b: Bar): void {
  const prices = [b.open, b.high, b.low, b.close];
  if (b.assetClass === "bond") {
    const bad = prices.find((p) => p < PRICE_LIMITS.minYield || p > PRICE_LIMITS.maxYield);
    if (bad !== undefined)
      throw new RejectedMessage(
        "price",
        `impossible yield ${bad}: outside [${PRICE_LIMITS.minYield}, ${PRICE_LIMITS.maxYield}]`,
      );
  } else {
    const bad = prices.find((p) => p > PRICE_LIMITS.maxPrice);
    if (bad !== undefined)
      throw new RejectedMessage("price", `impossible price ${bad}: above ${PRICE_LIMITS.maxPrice}`);
  }
}
