// Kafka message -> bar v1, or the reason it cannot be one. The bar itself passes @quant/core's parseBar, the gate of
// every border (schema, invariants, identity, plausibility): a message cannot name another series' bar. And its key
// must be its symbol: a series lives in one partition, whose consumer alone holds its state; a bar keyed otherwise
// lands in another partition (with replicas, another process) and would be enriched from a second, stale state.
import {
  type Bar,
  type BarRejectKind,
  type IncomingMessage,
  InvalidBarError,
  parseBar,
  Rejection,
  symbolKeyMismatch,
} from "@quant/core";

export type RejectKind = "empty" | "json" | BarRejectKind | "key" | "indicator";

export class RejectedMessage extends Rejection<RejectKind> {}

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
    if (err instanceof InvalidBarError) throw new RejectedMessage(err.kind, err.message);
    throw err;
  }
  const keyMismatch = symbolKeyMismatch(msg.key, bar.symbol, "bar");
  if (keyMismatch) throw new RejectedMessage("key", keyMismatch);
  return bar;
}
