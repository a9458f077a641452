// The DAG run `pnpm start` triggers and the ranges it then checks: one place for both, so the batch processor and
// reconcile cover exactly what the scrapers were asked for.

export const DAG_ID = "full_pipeline_test_dag";
/** trades: no DAG run; the synthetic trade feed, the candle aggregator and the trade archiver instead (trades.ts). */
export const SOURCES = ["replay", "synthetic", "yahoo", "trades"] as const;
export type Source = (typeof SOURCES)[number];

export interface JobRange {
  /** The task of the DAG's `scrape` group (its params are named after it). */
  task: "equities_eod" | "equities_intraday" | "crypto" | "crypto_intraday" | "bonds";
  /** The scraper job the task runs. */
  job: "equities-eod" | "equities-intraday" | "crypto" | "bonds";
  /** batch/reconcile --asset-type */
  assetType: "equities" | "crypto" | "bonds";
  interval: "1m" | "5m" | "1d";
  from: string;
  to: string;
  /** The symbols asked for; empty: the job's universe. */
  symbols: readonly string[];
}

/** What each task of the DAG's `scrape` group runs: its scraper job, batch/reconcile asset type and interval. */
const SCRAPE_TASKS = {
  equities_eod: { job: "equities-eod", assetType: "equities", interval: "1d" },
  equities_intraday: { job: "equities-intraday", assetType: "equities", interval: "1m" },
  crypto: { job: "crypto", assetType: "crypto", interval: "1d" },
  crypto_intraday: { job: "crypto", assetType: "crypto", interval: "1m" },
  bonds: { job: "bonds", assetType: "bonds", interval: "1d" },
} as const satisfies Record<JobRange["task"], Pick<JobRange, "job" | "assetType" | "interval">>;

/** A task's range over from..to (dates, both included); no symbols: the job's universe. */
export function taskRange(task: JobRange["task"], from: string, to: string, symbols: readonly string[] = []): JobRange {
  return { task, ...SCRAPE_TASKS[task], from, to, symbols };
}

export function rangeLabel(r: JobRange): string {
  return `${r.assetType} ${r.interval} ${r.from}..${r.to}`;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * replay and synthetic: the DAG's defaults, the ranges and symbols real data covers (docs/ingestion.md, "The default
 * run"); yahoo: recent days of the universe (Yahoo serves 1m bars for the last 7 days only).
 */
export function jobRanges(source: Source, now = Date.now()): JobRange[] {
  if (source === "trades") return [];
  if (source === "yahoo") {
    const d = (days: number) => day(now - days * 86_400_000);
    return [
      taskRange("equities_eod", d(30), d(0)),
      taskRange("equities_intraday", d(1), d(0)),
      taskRange("crypto", d(30), d(0)),
      taskRange("crypto_intraday", d(1), d(0)),
      taskRange("bonds", d(30), d(0)),
    ];
  }
  return [
    taskRange("equities_eod", "2012-01-03", "2013-03-01", ["AAPL", "MSFT", "GOOGL", "META", "TSLA", "^GSPC", "^IXIC"]),
    taskRange("equities_intraday", "2024-10-02", "2024-10-02", ["AAPL"]),
    taskRange("crypto", "2012-03-01", "2013-03-01", ["BTC-USD"]),
    taskRange("crypto_intraday", "2024-10-01", "2024-10-02", ["BTC-USD"]),
    taskRange("bonds", "2012-01-03", "2013-03-01"),
  ];
}

/** The run's conf: the source and every range as the DAG's params. */
export function dagConf(source: Source, ranges: readonly JobRange[]): Record<string, string> {
  const conf: Record<string, string> = { source };
  for (const r of ranges) {
    conf[`${r.task}_from`] = r.from;
    conf[`${r.task}_to`] = r.to;
    if (r.task !== "equities_eod" && r.task !== "bonds") conf[`${r.task}_interval`] = r.interval;
    if (r.symbols.length > 0) conf[`${r.task}_symbols`] = r.symbols.join(",");
  }
  return conf;
}

/** The dates the cross-asset job covers: every daily range of the run. */
export function crossAssetRange(ranges: readonly JobRange[]): { from: string; to: string } | null {
  const daily = ranges.filter((r) => r.interval === "1d");
  if (daily.length === 0) return null;
  return {
    from: daily.map((r) => r.from).sort()[0]!,
    to: daily
      .map((r) => r.to)
      .sort()
      .at(-1)!,
  };
}

/** batch / reconcile arguments of one range. */
export function rangeArgs(r: JobRange): string[] {
  return ["--from", r.from, "--to", r.to, "--asset-type", r.assetType, "--interval", r.interval];
}

/**
 * Where a run's data goes. Synthetic bars reuse the universe's symbols and dates with made-up prices: they get a
 * database and a bucket of their own, so they never land on recorded or real series (where every one of them would
 * also be a late bar forcing a recompute of the real series). Generated trades too: they are not market data.
 */
export function dataNamespace(source: Source, base: { db: string; bucket: string }): { db: string; bucket: string } {
  if (source === "synthetic") return { db: `${base.db}_synthetic`, bucket: `${base.bucket}-synthetic` };
  if (source === "trades") return { db: `${base.db}_trades`, bucket: `${base.bucket}-trades` };
  return base;
}
