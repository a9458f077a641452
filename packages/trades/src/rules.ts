// The candle rules from the environment, one shape for every process that applies them: the candle aggregator
// (stream) and the batch recomputation from the lake must use the same widths, lateness and future limit, or they
// disagree by construction.
import { envInt } from "@quant/core";
import { z } from "zod";
import type { AggregatorOptions } from "./aggregator.ts";
import { parseWidths, type Width } from "./width.ts";

const widths = z
  .string()
  .trim()
  .transform((s, ctx) => {
    try {
      return parseWidths(s);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

export const candleRulesEnv = {
  /** Candle widths, tumbling windows aligned to the UTC epoch; each must divide a day. 1m candles become bars. */
  TRADES_WIDTHS: widths.default(parseWidths("1s,10s,1m")),
  /** Watermark = a symbol's newest event time - this; older trades are dead-lettered as `late`. */
  TRADES_ALLOWED_LATENESS_MS: envInt(0, 3_600_000).default(2_000),
  /** A trade stamped further ahead of its own ingestTs is dead-lettered as `future` (it would close every window). */
  TRADES_MAX_FUTURE_MS: envInt(0, 86_400_000).default(60_000),
};

export type CandleRules = AggregatorOptions & { widths: readonly Width[] };

export function candleRules(env: {
  TRADES_WIDTHS: Width[];
  TRADES_ALLOWED_LATENESS_MS: number;
  TRADES_MAX_FUTURE_MS: number;
}): CandleRules {
  return {
    widths: env.TRADES_WIDTHS,
    allowedLatenessMs: env.TRADES_ALLOWED_LATENESS_MS,
    maxFutureMs: env.TRADES_MAX_FUTURE_MS,
  };
}

/** The rules with every variable at its default (1s/10s/1m, 2 s lateness, 60 s future limit). */
export const DEFAULT_CANDLE_RULES: CandleRules = candleRules(z.object(candleRulesEnv).parse({}));
