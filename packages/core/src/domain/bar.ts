// The bar message v1: the one shape of a bar at every border (Kafka message, Parquet row, MongoDB document), and the
// one gate every bar passes where it enters the pipeline (scraper output, Kafka decode, lake rows read by the batch):
// parseBar checks the schema, the invariants, the bar's identity and its plausibility.
import { z } from "zod";
import { AssetClass, BarSource, Interval } from "./market.ts";
import { CanonicalIsoUtc, IsoUtcString } from "./time.ts";

const price = z.number().refine(Number.isFinite, "expected a finite number");

export const BarV1Base = z.object({
  v: z.literal(1),
  /** `SYMBOL|interval|ts` (barId, ts in its canonical spelling): checked, so a message cannot name another bar. */
  id: z.string().min(1),
  symbol: z.string().min(1).max(32),
  assetClass: AssetClass,
  interval: Interval,
  /** Bar-open time, UTC; `…:00Z` and `…:00.000Z` are accepted and stored in the canonical spelling (isoUtc). */
  ts: CanonicalIsoUtc,
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
  ingestTs: IsoUtcString,
  /** True while the bar is still forming (the newest bar of a live response). */
  partial: z.boolean().default(false),
});

/** Checks the OHLC invariants and the identity; each broken one is reported with its name in the message. */
export const BarV1 = BarV1Base.superRefine((b, ctx) => {
  const id = barId(b);
  if (b.id !== id)
    ctx.addIssue({ code: "custom", path: ["id"], message: `identity: "${b.id}" is not this bar's id "${id}"` });
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

/**
 * Why a bar was refused: `schema` (shape, invariants, identity) or `price` (well-formed, but a value no market
 * produces: a unit or parsing error upstream). The stream dead-letters with this kind; the batch and the scraper
 * count it.
 */
export type BarRejectKind = "schema" | "price";

export class InvalidBarError extends Error {
  readonly kind: BarRejectKind;
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[], kind: BarRejectKind = "schema") {
    super(
      `${kind === "price" ? "implausible" : "invalid"} bar: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
    this.name = "InvalidBarError";
    this.kind = kind;
    this.issues = issues;
  }
}

/** Beyond these a value is a unit or parsing error, not a market move (bond "prices" are yields in percent). */
export const PRICE_LIMITS = { maxPrice: 1e9, minYield: -20, maxYield: 100 } as const;

/** The plausibility rule, written once: the first OHLC value outside PRICE_LIMITS, as an issue; null when none. */
export function implausibility(b: Pick<Bar, "assetClass" | "open" | "high" | "low" | "close">): {
  path: string;
  message: string;
} | null {
  for (const f of ["open", "high", "low", "close"] as const) {
    const p = b[f];
    if (b.assetClass === "bond") {
      if (p < PRICE_LIMITS.minYield || p > PRICE_LIMITS.maxYield)
        return {
          path: f,
          message: `impossible yield ${p}: outside [${PRICE_LIMITS.minYield}, ${PRICE_LIMITS.maxYield}]`,
        };
    } else if (p > PRICE_LIMITS.maxPrice)
      return { path: f, message: `impossible price ${p}: above ${PRICE_LIMITS.maxPrice}` };
  }
  return null;
}

/**
 * The gate of every border: validates an unknown value as a bar v1 (schema, invariants, id = barId of its canonical
 * ts), then its plausibility. Throws InvalidBarError (kind `schema` or `price`) naming each broken field.
 */
export function parseBar(value: unknown): Bar {
  const r = BarV1.safeParse(value);
  if (!r.success)
    throw new InvalidBarError(r.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message })));
  const bad = implausibility(r.data);
  if (bad) throw new InvalidBarError([bad], "price");
  return r.data;
}

/** Builds a bar with its id (from the canonical spelling of ts), through the same gate. */
export function makeBar(fields: Omit<BarInput, "v" | "id">): Bar {
  const ts = CanonicalIsoUtc.safeParse(fields.ts);
  const id = barId({ symbol: fields.symbol, interval: fields.interval, ts: ts.success ? ts.data : fields.ts });
  return parseBar({ v: 1, id, ...fields });
}
