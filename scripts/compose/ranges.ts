// The DAG run of `pnpm test:compose`: full_pipeline_test_dag with an explicit small conf (the DAG's own params, as
// `pnpm start` passes them: scripts/start/plan.ts), every window served by ../shared/fixtures/yahoo or generated from
// it inside the scraper containers. The default run (2012-2013 daily histories from the PyPI data files) is
// `pnpm start`'s; on the compose stack's FerretDB every check of it would take minutes. Here each of the DAG's five
// scrape tasks still runs, on a few hundred bars.
import type { JobRange } from "../start/plan.ts";

export const CHECK_RANGES: readonly JobRange[] = [
  // Real: 49 daily bars with a 4:1 split and a dividend (chart-AAPL-2020-08-31-to-2020-11-07.json).
  {
    task: "equities_eod",
    job: "equities-eod",
    assetType: "equities",
    interval: "1d",
    from: "2020-08-31",
    to: "2020-11-07",
    symbols: ["AAPL"],
  },
  // Real: one regular session, with one all-null bar (legacy-tests-http/chart-AAPL-2024-10-02-…-interval-1m.json).
  {
    task: "equities_intraday",
    job: "equities-intraday",
    assetType: "equities",
    interval: "1m",
    from: "2024-10-02",
    to: "2024-10-02",
    symbols: ["AAPL"],
  },
  // Real: three daily bars at UTC midnight (chart-BTC-USD-2020-01-01-to-2020-01-03.json).
  {
    task: "crypto",
    job: "crypto",
    assetType: "crypto",
    interval: "1d",
    from: "2020-01-01",
    to: "2020-01-03",
    symbols: ["BTC-USD"],
  },
  // Generated, labelled synthetic: one UTC day of BTC-USD 1m bars, which the stream processor rolls up (5m, 1h, 1d).
  {
    task: "crypto_intraday",
    job: "crypto",
    assetType: "crypto",
    interval: "1m",
    from: "2024-10-02",
    to: "2024-10-02",
    symbols: ["BTC-USD"],
  },
  // Generated, labelled synthetic: the four Treasury yields over the AAPL window (no real Treasury data exists).
  {
    task: "bonds",
    job: "bonds",
    assetType: "bonds",
    interval: "1d",
    from: "2020-08-31",
    to: "2020-11-07",
    symbols: [],
  },
];
