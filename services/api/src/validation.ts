// Input validation of every query string: strict zod objects of strings only. Fastify's parser turns
// `symbol[$ne]=x` into a key named "symbol[$ne]" (refused as an unknown key) and repeated keys into arrays (refused
// as not a string); `symbol={"$gt":""}` is a string that fails the symbol pattern. So nothing but a validated
// scalar ever reaches a MongoDB filter.
import { INTERVAL_MS, Interval } from "@quant/core";
import { z } from "zod";

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Yahoo-style symbols: AAPL, BTC-USD, ^TNX, EURUSD=X, BRK.B. */
export const SYMBOL_PATTERN = /^[A-Z0-9^][A-Z0-9^.=-]{0,19}$/;
export const SymbolParam = z.string().regex(SYMBOL_PATTERN, "expected a symbol such as AAPL, BTC-USD or ^TNX");

/** An ISO date (2024-01-02) or date-time with zone (2024-01-02T14:30:00Z). */
const Instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    "expected an ISO date (2024-01-02) or date-time with zone (2024-01-02T14:30:00Z)",
  )
  .transform((s, ctx) => {
    const t = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: "custom", message: `not a valid date: ${s}` });
      return z.NEVER;
    }
    return new Date(t);
  });

const Limit = z
  .string()
  .regex(/^\d{1,6}$/, "expected a positive integer")
  .transform(Number);

const TradingDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a trading date such as 2024-01-02");

/** Which bars: scraped, rolled up by the stream processor (bars_rollup), or auto (scraped where the universe scrapes that interval, else rollup). */
export const SourceParam = z.enum(["auto", "scraped", "rollup"]).default("auto");

export const BarsQuery = z.strictObject({
  symbol: SymbolParam,
  interval: Interval.default("1d"),
  source: SourceParam,
  from: Instant.optional(),
  to: Instant.optional(),
  limit: Limit.optional(),
});
export type BarsQuery = z.infer<typeof BarsQuery>;

export const StreamQuery = z.strictObject({
  symbol: SymbolParam,
  interval: Interval.default("1d"),
  source: SourceParam,
});

export const CrossAssetQuery = z.strictObject({
  series: z
    .string()
    .regex(
      /^(slope|correlation|beta):[A-Z0-9^.=-]{1,20}[-/][A-Z0-9^.=-]{1,20}\|(1m|5m|15m|1h|1d)$/,
      "expected a series such as slope:^TNX-^IRX|1d",
    ),
  from: Instant.optional(),
  to: Instant.optional(),
});

export const MoversQuery = z.strictObject({
  date: TradingDate,
  limit: Limit.optional(),
  direction: z.enum(["up", "down"]).default("up"),
});

/** /api/quality: a range of trading dates (default the last seven days), some symbols, the worst N series. */
export const QualityQuery = z.strictObject({
  from: TradingDate.optional(),
  to: TradingDate.optional(),
  symbols: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .pipe(z.array(SymbolParam).min(1).max(50))
    .optional(),
  limit: Limit.optional(),
});

export const EmptyQuery = z.strictObject({});

/** Parses a query string object or throws a 400 naming the first bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const r = schema.safeParse(query ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue?.code === "unrecognized_keys") throw new HttpError(400, `unknown parameter: ${issue.keys.join(", ")}`);
  const param = String(issue?.path[0] ?? "query");
  const given = (query as Record<string, unknown> | null)?.[param];
  const message =
    issue?.code !== "invalid_type"
      ? (issue?.message ?? "invalid")
      : given === undefined
        ? "required"
        : "expected a single string value";
  throw new HttpError(400, `${param}: ${message}`);
}

export interface ResolvedRange {
  from: Date;
  to: Date;
}

/**
 * Checks a from/to range: from before to, and at most `maxBars` bars of the interval (400 otherwise). A missing
 * `to` is now; a missing `from` is `maxBars` bars before `to`.
 */
export function resolveRange(
  q: { from?: Date | undefined; to?: Date | undefined },
  interval: Interval,
  maxBars: number,
  now = new Date(),
): ResolvedRange {
  const ms = INTERVAL_MS[interval];
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - maxBars * ms);
  if (from.getTime() >= to.getTime()) throw new HttpError(400, "bad range: from must be before to");
  const bars = (to.getTime() - from.getTime()) / ms;
  if (bars > maxBars)
    throw new HttpError(
      400,
      `range too large: at most ${maxBars} bars of ${interval} (${Math.floor((maxBars * ms) / 86_400_000)} days) per request`,
    );
  return { from, to };
}
