// The DAG run `pnpm start` triggers and the ranges it then checks: one place for both, so the batch processor and
// reconcile cover exactly what the scrapers were asked for.

export const DAG_ID = "full_pipeline_test_dag";
/** trades: no DAG run; the synthetic trade feed, the candle aggregator and the trade archiver instead (trades.ts). */
export const SOURCES = ["replay", "synthetic", "yahoo", "trades"] as const;
export type Source = (typeof SOURCES)[number];

export interface JobRange {
  /** The scraper job (a task of the DAG's `scrape` group). */
  job: "equities-eod" | "equities-intraday" | "crypto" | "bonds";
  /** batch/reconcile --asset-type */
  assetType: "equities" | "crypto" | "bonds";
  interval: "1m" | "5m" | "1d";
  from: string;
  to: string;
}

export function rangeLabel(r: JobRange): string {
  return `${r.assetType} ${r.interval} ${r.from}..${r.to}`;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * replay and synthetic: the ranges the recordings cover (the DAG's defaults); yahoo: recent days (Yahoo serves 1m
 * bars for the last 7 days only).
 */
export function jobRanges(source: Source, now = Date.now()): JobRange[] {
  if (source === "trades") return [];
  if (source === "yahoo") {
    const d = (days: number) => day(now - days * 86_400_000);
    return [
      { job: "equities-eod", assetType: "equities", interval: "1d", from: d(30), to: d(0) },
      { job: "equities-intraday", assetType: "equities", interval: "1m", from: d(1), to: d(0) },
      { job: "crypto", assetType: "crypto", interval: "1d", from: d(7), to: d(0) },
      { job: "bonds", assetType: "bonds", interval: "1d", from: d(30), to: d(0) },
    ];
  }
  return [
    { job: "equities-eod", assetType: "equities", interval: "1d", from: "2020-08-31", to: "2020-11-07" },
    { job: "equities-intraday", assetType: "equities", interval: "1m", from: "2024-10-02", to: "2024-10-03" },
    { job: "crypto", assetType: "crypto", interval: "1d", from: "2020-01-01", to: "2020-01-03" },
    { job: "bonds", assetType: "bonds", interval: "1d", from: "2020-08-31", to: "2020-11-07" },
  ];
}

/** The run's conf: the source and every range as the DAG's params. */
export function dagConf(source: Source, ranges: readonly JobRange[]): Record<string, string> {
  const conf: Record<string, string> = { source };
  for (const r of ranges) {
    const key = r.job.replace("-", "_");
    conf[`${key}_from`] = r.from;
    conf[`${key}_to`] = r.to;
    if (r.job === "equities-intraday" || r.job === "crypto") conf[`${key}_interval`] = r.interval;
  }
  return conf;
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
