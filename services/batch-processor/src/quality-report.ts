// `pnpm quality`: the data-quality report of a date range from the `quality` collection (one row per series and
// trading date, written by the stream and batch processors): arguments and the table.
import { addDays, dateFlag, epochMsToDate, type QualitySeriesSummary, UsageError } from "@quant/core";
import { commaList, parseFlags } from "./args.ts";

export const QUALITY_USAGE = "usage: quality [--from YYYY-MM-DD --to YYYY-MM-DD] [--symbols A,B] [--json FILE]";

export interface QualityRequest {
  from: string;
  to: string;
  symbols: string[] | null;
  json: string | null;
}

/** Without --from/--to: the seven days up to the latest day with rows. */
const DEFAULT_DAYS = 7;

/** `latest`: the default end of the range, the latest day with quality rows (else today). */
export function parseQualityArgs(argv: readonly string[], latest = epochMsToDate(Date.now())): QualityRequest {
  const values = parseFlags(argv, {
    from: { type: "string" },
    to: { type: "string" },
    symbols: { type: "string" },
    json: { type: "string" },
  });
  const to = dateFlag("--to", values.to ?? latest);
  const from = dateFlag("--from", values.from ?? addDays(to, -(DEFAULT_DAYS - 1)));
  if (from > to) throw new UsageError("--from", `${from} is after --to ${to}`);
  const symbols = commaList(values.symbols);
  return { from, to, symbols: symbols && symbols.length > 0 ? symbols : null, json: values.json ?? null };
}

const COLUMNS: [string, (s: QualitySeriesSummary) => string][] = [
  ["series", (s) => `${s.symbol} ${s.interval}`],
  ["days", (s) => String(s.days)],
  ["expected", (s) => String(s.expected)],
  ["present", (s) => String(s.bars)],
  ["missing", (s) => String(s.missing)],
  ["gaps", (s) => String(s.gaps)],
  ["outliers", (s) => String(s.flags.return_outlier + s.flags.range_outlier)],
  ["conflicts", (s) => String(s.flags.conflict)],
  ["stale runs", (s) => String(s.staleRuns)],
  ["zero vol", (s) => String(s.flags.zero_volume)],
  ["incomplete", (s) => String(s.flags.incomplete)],
  ["off-cal", (s) => String(s.flags.off_calendar)],
  ["score", (s) => s.score.toFixed(4)],
  ["worst day", (s) => `${s.worstDay.tradingDate} ${s.worstDay.score.toFixed(4)}`],
];

/** The table, worst series first, and a closing line. */
export function qualityTable(req: QualityRequest, series: readonly QualitySeriesSummary[]): string[] {
  const cells = series.map((s) => COLUMNS.map(([, f]) => f(s)));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  const out = series.length > 0 ? [line(COLUMNS.map(([h]) => h)), ...cells.map(line)] : [];
  const missing = series.reduce((n, s) => n + s.missing, 0);
  const flagged = series.reduce((n, s) => n + s.flagged, 0);
  out.push(
    `quality ${req.from}..${req.to}: ${series.length} series, ${missing} bar(s) missing, ${flagged} bar(s) flagged`,
  );
  return out;
}
