// Command-line arguments of `batch` and `reconcile`:
//   --date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD | --trading-day-before YYYY-MM-DD
//   [--asset-type equities|crypto|bonds[,…]] [--symbols A,B] [--interval 1m|5m|1d[,…]] [--json FILE]
import type { ParseArgsOptionsConfig } from "node:util";
import {
  type AssetClass,
  barCalendarOf,
  dateFlag,
  Interval,
  parseCommandLine,
  previousBarDate,
  UsageError,
} from "@quant/core";

export const ASSET_TYPES: Record<string, AssetClass> = { equities: "equity", crypto: "crypto", bonds: "bond" };

export interface RangeRequest {
  /** Trading dates, both included. */
  from: string;
  to: string;
  assetClasses: AssetClass[];
  symbols: string[] | null;
  intervals: Interval[] | null;
  /** --json FILE: where the command writes its result as JSON (for scripts such as `pnpm start`), besides stdout. */
  json: string | null;
  /**
   * --trading-day-before D: each asset class over its own trading day before D (crypto: D - 1; equities and bonds:
   * the previous NYSE trading day); from/to then span those days. splitRequest gives one request per asset class.
   */
  tradingDayBefore: string | null;
}

/** A comma-separated flag value as its trimmed, non-empty items; null when the flag is absent. */
export const commaList = (s: string | undefined) =>
  s === undefined
    ? null
    : s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);

/** The flags of a batch-processor command (core's parser; these commands take no positional argument). */
export function parseFlags<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O) {
  const { values, positionals } = parseCommandLine(argv, options);
  if (positionals.length > 0) throw new UsageError("arguments", `unexpected argument "${positionals[0]}"`);
  return values;
}

export function parseRangeArgs(argv: readonly string[]): RangeRequest {
  const values = parseFlags(argv, {
    date: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    "asset-type": { type: "string" },
    symbols: { type: "string" },
    interval: { type: "string" },
    json: { type: "string" },
    "trading-day-before": { type: "string" },
  });
  const date = values.date as string | undefined;
  const before = (values["trading-day-before"] as string | undefined) ?? null;
  let from = (values.from as string | undefined) ?? date;
  let to = (values.to as string | undefined) ?? date;
  if (before !== null ? from || to : !from || !to || (date && (values.from || values.to)))
    throw new UsageError("--date", "give --date, --from and --to, or --trading-day-before");
  if (before !== null) dateFlag("--trading-day-before", before);
  else {
    dateFlag(date ? "--date" : "--from", from!);
    dateFlag(date ? "--date" : "--to", to!);
  }
  if (from! > to!) throw new UsageError("--from", `${from} is after --to ${to}`);
  const assetClasses = (commaList(values["asset-type"] as string | undefined) ?? Object.keys(ASSET_TYPES)).map((t) => {
    const a = ASSET_TYPES[t];
    if (!a) throw new UsageError("--asset-type", `expected equities, crypto or bonds, got "${t}"`);
    return a;
  });
  const intervals =
    commaList(values.interval as string | undefined)?.map((i) => {
      const r = Interval.safeParse(i);
      if (!r.success) throw new UsageError("--interval", `expected one of ${Interval.options.join(", ")}, got "${i}"`);
      return r.data;
    }) ?? null;
  const json = (values.json as string | undefined) ?? null;
  if (before !== null) {
    const days = assetClasses.map((a) => previousBarDate(barCalendarOf(a), before)).sort();
    from = days[0];
    to = days.at(-1);
  }
  return {
    from: from!,
    to: to!,
    assetClasses,
    symbols: commaList(values.symbols as string | undefined),
    intervals,
    json,
    tradingDayBefore: before,
  };
}

/** One request per asset class over its own trading day for --trading-day-before; else the request itself. */
export function splitRequest(req: RangeRequest): RangeRequest[] {
  const before = req.tradingDayBefore;
  if (before === null) return [req];
  return req.assetClasses.map((a) => {
    const day = previousBarDate(barCalendarOf(a), before);
    return { ...req, from: day, to: day, assetClasses: [a], tradingDayBefore: null };
  });
}
