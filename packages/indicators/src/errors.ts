/**
 * Thrown for bad input: a value that is not a number (a string, boolean, null, array, object: JavaScript would coerce
 * it and corrupt the state), not finite, out of range, or out of order. The indicator's state is unchanged; callers
 * decide whether to dead-letter the bar.
 */
export class InvalidInputError extends Error {
  /** The offending input field, e.g. "close", "volume", "high", "ts", "period". */
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, reason: string) {
    super(`invalid ${field} ${shown(value)}: ${reason}`);
    this.name = "InvalidInputError";
    this.field = field;
    this.value = value;
  }
}

/** Options shared by price-based indicators. */
export interface PriceOptions {
  /**
   * Accept zero and negative (finite) prices, e.g. bond yields. Default false: a price must be finite and > 0.
   * Ratio-based metrics (log return, HV, Sharpe, Sortino, cumulative return, drawdown) are absent where a ratio of
   * non-positive prices would be needed.
   */
  allowNonPositive?: boolean;
}

/** Exclusive lower bound for prices: 0 (price > 0) or -Infinity (any finite value). */
export function priceFloor(opts?: PriceOptions): number {
  return opts?.allowNonPositive ? -Infinity : 0;
}

/** A value as an error message shows it: numbers as they print, anything else with its type ("106" is a string). */
function shown(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string")
    return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} (string)`;
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "(array)";
  if (typeof value === "object") return "(object)";
  return `${String(value)} (${typeof value})`;
}

/** The reason a value that failed a number check gives: its type first (JavaScript coerces "106" > 0 to true). */
function notNumber(x: unknown, reason: string): string {
  return typeof x === "number" ? reason : `must be a number; ${reason}`;
}

export function badPrice(field: string, x: unknown, floor: number): never {
  throw new InvalidInputError(field, x, notNumber(x, floor === 0 ? "must be finite and > 0" : "must be finite"));
}

/**
 * Throws unless x is a number, finite and > floor (floor 0 or -Infinity). Small enough to inline. The typeof test comes
 * first: the comparisons alone accept "106", true and [5] (JavaScript converts them), and null as 0.
 */
export function checkPrice(field: string, x: number, floor: number): void {
  if (!isPrice(x, floor)) badPrice(field, x, floor);
}

/**
 * Batch forms: validates a whole series up front, throwing the same InvalidInputError (same field and value) that
 * update() throws at the first bad value, before anything is computed.
 */
export function checkPrices(field: string, values: ArrayLike<number>, floor: number): void {
  const len = values.length;
  let i = 0;
  // no call inside the loop: V8 compiles this scan ~2.5x faster than one with the throwing call in its body
  for (; i < len; i++) {
    const x = values[i]!;
    if (typeof x !== "number" || !(x > floor && x < Infinity)) break;
  }
  if (i < len) badPrice(field, values[i]!, floor);
}

// The fast path of the bar checks: plain booleans with no throwing call inside, small enough for V8 to inline into
// one compare chain. A caller tests a whole bar with them and, only when that fails, runs the check* functions, which
// name the field that is wrong.

/** A number, finite and > floor (typeof first: "106" > 0 is true in JavaScript). */
export function isPrice(x: number, floor: number): boolean {
  return typeof x === "number" && x > floor && x < Infinity;
}

/** high, low and close are prices and high >= low. */
export function isHlc(high: number, low: number, close: number, floor: number): boolean {
  return isPrice(high, floor) && isPrice(low, floor) && isPrice(close, floor) && high >= low;
}

/** A finite number (a timestamp). */
export function isFiniteNumber(x: number): boolean {
  return typeof x === "number" && x > -Infinity && x < Infinity;
}

/** A finite number >= 0. */
export function isVolume(v: number): boolean {
  return typeof v === "number" && v >= 0 && v < Infinity;
}

export function checkVolume(v: number): void {
  if (!isVolume(v)) throw new InvalidInputError("volume", v, notNumber(v, "must be finite and >= 0"));
}

/** Throws unless x is a finite number (timestamps, two-series values). */
export function checkValue(field: string, x: number): void {
  if (!isFiniteNumber(x)) throw new InvalidInputError(field, x, notNumber(x, "must be finite"));
}

export function checkHighLow(high: number, low: number): void {
  if (high < low) throw new InvalidInputError("high", high, `must be >= low (${low})`);
}

export function checkPeriod(period: number, min = 1, field = "period"): number {
  if (!Number.isInteger(period) || period < min || period > 100_000) {
    throw new InvalidInputError(field, period, `must be an integer in [${min}, 100000]`);
  }
  return period;
}

export function checkState(ok: boolean, kind: string): void {
  if (!ok) throw new InvalidInputError("state", kind, "not a saved state of this indicator");
}
