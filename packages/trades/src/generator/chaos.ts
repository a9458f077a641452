// The chaos option of the generator: late, out-of-order, duplicate and corrupt trades at stated rates.
//   late          delivered more than the allowed lateness after it happened (the aggregator should refuse it);
//   out-of-order  delivered after later trades, but within the allowed lateness (it should be applied);
//   duplicate     delivered a second time, soon after (it should be recognised and skipped);
//   corrupt       a broken message injected beside the stream (it should be dead-lettered with its reason).
// Rates are per generated trade; late, out-of-order and duplicate exclude each other, corrupt is drawn apart.

export interface ChaosRates {
  late: number;
  outOfOrder: number;
  duplicate: number;
  corrupt: number;
}

export const NO_CHAOS: ChaosRates = { late: 0, outOfOrder: 0, duplicate: 0, corrupt: 0 };

const NAMES: Record<string, keyof ChaosRates> = {
  late: "late",
  "out-of-order": "outOfOrder",
  duplicate: "duplicate",
  corrupt: "corrupt",
};

/** Parses `late=0.001,out-of-order=0.01,duplicate=0.005,corrupt=0.001` (missing names are 0). */
export function parseChaos(spec: string): ChaosRates {
  const rates: ChaosRates = { ...NO_CHAOS };
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value, extra] = part.split("=");
    const key = NAMES[name?.trim() ?? ""];
    const rate = Number(value);
    if (!key || value === undefined || extra !== undefined)
      throw new Error(`chaos: expected name=rate with name one of ${Object.keys(NAMES).join(", ")}, got "${part}"`);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`chaos: ${name} rate must be within [0, 1], got "${value}"`);
    rates[key] = rate;
  }
  if (rates.late + rates.outOfOrder + rates.duplicate > 1)
    throw new Error("chaos: late + out-of-order + duplicate must not exceed 1");
  return rates;
}

/** One way to break a trade message, and the dead-letter kind the aggregator should give it. */
export interface Corruption {
  name: string;
  kind: "empty" | "json" | "schema";
  /** The broken message value, from the valid trade's JSON object. */
  make(trade: Record<string, unknown>): string;
}

export const CORRUPTIONS: readonly Corruption[] = [
  { name: "truncated JSON", kind: "json", make: (t) => JSON.stringify(t).slice(0, 40) },
  { name: "not JSON", kind: "json", make: () => "trade!" },
  { name: "empty value", kind: "empty", make: () => "" },
  { name: "negative price", kind: "schema", make: (t) => JSON.stringify({ ...t, price: -Math.abs(Number(t.price)) }) },
  { name: "price as text", kind: "schema", make: (t) => JSON.stringify({ ...t, price: String(t.price) }) },
  { name: "zero size", kind: "schema", make: (t) => JSON.stringify({ ...t, size: 0 }) },
  { name: "no id", kind: "schema", make: ({ id: _, ...t }) => JSON.stringify(t) },
  {
    name: "ts as ISO text",
    kind: "schema",
    make: (t) => JSON.stringify({ ...t, ts: new Date(Number(t.ts)).toISOString() }),
  },
  { name: "a bond", kind: "schema", make: (t) => JSON.stringify({ ...t, assetClass: "bond" }) },
  { name: "an array", kind: "schema", make: (t) => JSON.stringify([t]) },
];
