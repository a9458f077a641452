// The bar message v1: the one shape of a bar at every border (Kafka message, Parquet row, MongoDB document).
import { z } from "zod";
import { AssetClass, BarSource, Interval } from "./market.ts";

const isoUtc = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, "expected an ISO-8601 UTC time ending in Z")
  .refine((s) => !Number.isNaN(Date.parse(s)), "expected a valid date");

const price = z.number().refine(Number.isFinite, "expected a finite number");

export const BarV1Base = z.object({
  v: z.literal(1),
  /** Deterministic id from (symbol, interval, ts): a re-run produces the same id. */
  id: z.string().min(1),
  symbol: z.string().min(1).max(32),
  assetClass: AssetClass,
  interval: Interval,
  /** Bar-open time, UTC. */
  ts: isoUtc,
  /** The exchange's trading date (YYYY-MM-DD) in the exchange's time zone. */
  tradingDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"),
  open: price,
  high: price,
  low: price,
  close: price,
  /** Close adjusted for splits and dividends, when the source gives it. Raw OHLC stay unadjusted. */
  adjClose: price.nullable().default(null),
  volume: z.number().refine(Number.isFinite, "expected a finite number").nonnegative("expected volume >= 0"),
  currency: z.string().min(1).max(8),
  exchange: z.string().min(1).max(32),
  source: BarSource,
  /** When the pipeline first saw the bar, UTC. */
  ingestTs: isoUtc,
  /** True while the bar is still forming (the newest bar of a live response). */
  partial: z.boolean().default(false),
});

/** Checks the OHLC invariants; each broken one is reported with its name in the message. */
export const BarV1 = BarV1Base.superRefine((b, ctx) => {
  const maxOC = Math.max(b.open, b.close);
  const minOC = Math.min(b.open, b.close);
  if (b.high < maxOC)
    ctx.addIssue({
      code: "custom",
      path: ["high"],
      message: `invariant high >= max(open, close) broken: ${b.high} < ${maxOC}`,
    });
  if (b.low > minOC)
    ctx.addIssue({
      code: "custom",
      path: ["low"],
      message: `invariant low <= min(open, close) broken: ${b.low} > ${minOC}`,
    });
  if (b.assetClass !== "bond") {
    // Yields may be zero or negative; prices may not.
    for (const f of ["open", "high", "low", "close"] as const) {
      if (b[f] <= 0) ctx.addIssue({ code: "custom", path: [f], message: `invariant ${f} > 0 broken: ${b[f]}` });
    }
  }
});

export type Bar = z.infer<typeof BarV1>;
export type BarInput = z.input<typeof BarV1>;

/** The canonical key of a bar. */
export interface BarKey {
  symbol: string;
  interval: Interval;
  ts: string;
}

/** The deterministic id of a bar: `SYMBOL|interval|ts`. */
export function barId(key: BarKey): string {
  return `${key.symbol}|${key.interval}|${key.ts}`;
}

export function parseBarId(id: string): BarKey {
  const [symbol, interval, ts] = id.split("|");
  const parsed = Interval.safeParse(interval);
  if (!symbol || !parsed.success || !ts) throw new Error(`not a bar id: "${id}"`);
  return { symbol, interval: parsed.data, ts };
}

export class InvalidBarError extends Error {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(`invalid bar: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "InvalidBarError";
    this.issues = issues;
  }
}

/** Validates an unknown value as a bar v1; throws InvalidBarError naming each broken field or invariant. */
export function parseBar(value: unknown): Bar {
  const r = BarV1.safeParse(value);
  if (r.success) return r.data;
  throw new InvalidBarError(r.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message })));
}

/** Builds a bar with its id, validated. */
export function makeBar(fields: Omit<BarInput, "v" | "id">): Bar {
  return parseBar({ v: 1, id: barId({ symbol: fields.symbol, interval: fields.interval, ts: fields.ts }), ...fields });
}
