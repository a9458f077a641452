import { z } from "zod";
import { BarV1 } from "./bar.ts";
import { TradeV1 } from "./trade.ts";

/** A message's JSON Schema from its zod schema (the source of truth), with its id, title and description. */
function jsonSchemaOf(schema: z.ZodType, file: string, title: string, description: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { io: "output", target: "draft-2020-12" }) as Record<string, unknown>;
  return { $id: `https://github.com/quant-pipeline/schemas/${file}`, title, description, ...generated };
}

/**
 * The JSON Schema of the bar message v1, generated from the zod schema (the source of truth).
 * `schemas/bar.v1.json` holds it for non-TypeScript consumers; a test fails when the two drift.
 * The OHLC invariants are checks in code and appear in the description only.
 */
export function barJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(
    BarV1,
    "bar.v1.json",
    "Bar message v1",
    "One OHLCV bar, as produced to crypto_ticks, equities_ticks and bonds_data and stored in the lake. " +
      "Invariants checked in code: high >= max(open, close); low <= min(open, close); prices > 0 except for bonds; " +
      "finite numbers; volume >= 0. id = symbol|interval|ts.",
  );
}

/** The JSON Schema of the trade message v1 (`schemas/trade.v1.json`), generated from the zod schema like the bar's. */
export function tradeJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(
    TradeV1,
    "trade.v1.json",
    "Trade message v1",
    "One trade, as produced to the trades topic (one trade per message, key = symbol) and stored in the trade lake. " +
      "ts and ingestTs are epoch milliseconds (UTC): event time at the venue, and when the pipeline received it. " +
      "id is unique per symbol; a re-sent trade repeats it.",
  );
}
