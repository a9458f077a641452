// The CLI: scrape <job> [--symbols A,B] [--from YYYY-MM-DD --to YYYY-MM-DD] [--interval 1m|5m|1d] [--source …]
// Airflow calls exactly this; keep it stable (docs/ingestion.md).
import {
  type AssetClass,
  addDays,
  dateFlag,
  epochMsToDate,
  type Interval,
  parseCommandLine,
  parseSymbolList,
  type ScrapeJob,
  UNIVERSE,
  UsageError,
} from "@quant/core";

export const SOURCES = ["yahoo", "replay", "synthetic"] as const;
export type SourceName = (typeof SOURCES)[number];
const SCRAPED_INTERVALS = ["1m", "5m", "1d"] as const;

export const USAGE =
  "usage: scrape <equities-eod|equities-intraday|crypto|bonds> [--symbols A,B,...] " +
  "[--from YYYY-MM-DD --to YYYY-MM-DD] [--interval 1m|5m|1d] [--source yahoo|replay|synthetic]";

export interface ScrapeRequest {
  job: ScrapeJob;
  assetClass: AssetClass;
  symbols: string[];
  intervals: Interval[];
  /** Trading dates, both included (UTC calendar days of the bar-open time). */
  from: string;
  to: string;
  source: SourceName;
}

const OPTIONS = {
  symbols: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  interval: { type: "string" },
  source: { type: "string" },
} as const;

/** Default window when --from/--to are absent: the last week of daily bars, today's and yesterday's intraday. */
function defaultFrom(intervals: Interval[], to: string): string {
  return addDays(to, intervals.includes("1d") ? -7 : -1);
}

export function parseScrapeArgs(argv: readonly string[], now = Date.now()): ScrapeRequest {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE);
  const [job, ...extra] = positionals;
  if (!job) throw new UsageError("<job>", `missing; ${USAGE}`);
  if (!(job in UNIVERSE))
    throw new UsageError("<job>", `unknown job "${job}"; expected one of ${Object.keys(UNIVERSE).join(", ")}`);
  if (extra.length > 0) throw new UsageError("<job>", `unexpected extra argument "${extra[0]}"`);
  const spec = UNIVERSE[job as ScrapeJob];

  const source = values.source ?? "yahoo";
  if (!(SOURCES as readonly string[]).includes(source))
    throw new UsageError("--source", `expected one of ${SOURCES.join(", ")}, got "${source}"`);

  let intervals: Interval[] = [...spec.intervals];
  if (values.interval !== undefined) {
    if (!(SCRAPED_INTERVALS as readonly string[]).includes(values.interval))
      throw new UsageError("--interval", `expected one of ${SCRAPED_INTERVALS.join(", ")}, got "${values.interval}"`);
    intervals = [values.interval as Interval];
  }

  let symbols = [...spec.symbols];
  if (values.symbols !== undefined) symbols = parseSymbolList(values.symbols, { upperCase: true });

  for (const flag of ["from", "to"] as const) {
    const v = values[flag];
    if (v !== undefined) dateFlag(`--${flag}`, v);
  }
  const to = values.to ?? epochMsToDate(now);
  const from = values.from ?? defaultFrom(intervals, to);
  if (from > to) throw new UsageError("--from", `${from} is after --to ${to}`);

  return {
    job: job as ScrapeJob,
    assetClass: spec.assetClass,
    symbols,
    intervals,
    from,
    to,
    source: source as SourceName,
  };
}
