import { InvalidInputError } from "../errors.ts";

export type AssetClass = "equity" | "bond" | "crypto" | "etf" | "index" | "fx" | "commodity";

/**
 * Periods per year used to annualise HV, Sharpe and Sortino: 252 trading days for equities, ETFs, indices, bonds,
 * FX and commodities; 365 calendar days for crypto (trades every day); times bars per day for intraday bars
 * (e.g. 6.5 h of 5-minute equity bars = 78/day -> 252*78; 1-hour crypto bars -> 365*24).
 */
export function periodsPerYear(assetClass: AssetClass, barsPerDay = 1): number {
  if (typeof barsPerDay !== "number" || !(barsPerDay > 0 && barsPerDay < Infinity))
    throw new InvalidInputError("barsPerDay", barsPerDay, "must be > 0");
  return (assetClass === "crypto" ? 365 : 252) * barsPerDay;
}
