// The run summary: one human line per run (prefix [SCRAPE DEBUG], as in the original design) plus one
// line per failed or flagged symbol, and the same as a structured log record.
import type { Interval } from "@quant/core";
import type { ScrapeRequest } from "./args.ts";

export interface SymbolOutcome {
  symbol: string;
  interval: Interval;
  ok: boolean;
  bars: number;
  partialBars: number;
  nullBars: number;
  partialNullBars: string[];
  invalidBars: number;
  events: number;
  objects: number;
  requests: number;
  ms: number;
  error?: string;
}

export interface RunSummary {
  job: string;
  source: string;
  from: string;
  to: string;
  symbols: number;
  succeeded: number;
  failed: number;
  bars: number;
  nullBars: number;
  partialNullBars: number;
  invalidBars: number;
  objects: number;
  ms: number;
  outcomes: SymbolOutcome[];
}

export function summarise(req: ScrapeRequest, outcomes: SymbolOutcome[], ms: number): RunSummary {
  // A symbol succeeds when every interval of it did.
  const failedSymbols = new Set(outcomes.filter((o) => !o.ok).map((o) => o.symbol));
  const sum = (f: (o: SymbolOutcome) => number) => outcomes.reduce((a, o) => a + f(o), 0);
  return {
    job: req.job,
    source: req.source,
    from: req.from,
    to: req.to,
    symbols: req.symbols.length,
    succeeded: req.symbols.length - failedSymbols.size,
    failed: failedSymbols.size,
    bars: sum((o) => o.bars),
    nullBars: sum((o) => o.nullBars),
    partialNullBars: sum((o) => o.partialNullBars.length),
    invalidBars: sum((o) => o.invalidBars),
    objects: sum((o) => o.objects),
    ms,
    outcomes,
  };
}

export function summaryLines(s: RunSummary): string[] {
  const lines = [
    `[SCRAPE DEBUG] job=${s.job} source=${s.source} range=${s.from}..${s.to} symbols=${s.symbols} ok=${s.succeeded} ` +
      `failed=${s.failed} bars=${s.bars} nullBars=${s.nullBars} partialNullBars=${s.partialNullBars} ` +
      `invalidBars=${s.invalidBars} objects=${s.objects} ms=${Math.round(s.ms)}`,
  ];
  for (const o of s.outcomes) {
    const state = o.ok ? "ok" : `FAILED: ${o.error}`;
    lines.push(
      `[SCRAPE DEBUG]   ${o.symbol} ${o.interval} ${state} bars=${o.bars} partial=${o.partialBars} nullBars=${o.nullBars} ` +
        `partialNullBars=${o.partialNullBars.length} invalidBars=${o.invalidBars} events=${o.events} ` +
        `requests=${o.requests} ms=${Math.round(o.ms)}` +
        (o.partialNullBars.length > 0 ? ` partlyNull=[${o.partialNullBars.slice(0, 5).join("; ")}]` : ""),
    );
  }
  return lines;
}

/** 0 unless every symbol failed (1). Bad configuration and arguments exit 2 before a run. */
export function exitCodeOf(s: RunSummary): number {
  return s.symbols > 0 && s.succeeded === 0 ? 1 : 0;
}
