import { z } from "zod";
import { BarV1 } from "./bar.ts";

/**
 * The JSON Schema of the bar message v1, generated from the zod schema (the source of truth).
 * `schemas/bar.v1.json` holds it for non-TypeScript consumers; a test fails when the two drift.
 * The OHLC invariants are checks in code and appear in the description only.
 */
export function barJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(BarV1, { io: "output", target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    $id: "https://github.com/quant-pipeline/schemas/bar.v1.json",
    title: "Bar message v1",
    description:
      "One OHLCV bar, as produced to crypto_ticks, equities_ticks and bonds_data and stored in the lake. " +
      "Invariants checked in code: high >= max(open, close); low <= min(open, close); prices > 0 except for bonds; " +
      "finite numbers; volume >= 0. id = symbol|interval|ts.",
    ...schema,
  };
}
