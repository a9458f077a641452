// The DAG run of `pnpm test:compose`: full_pipeline_test_dag with an explicit small conf (the DAG's own params, as
// `pnpm start` passes them: scripts/start/plan.ts), every window served by ../shared/fixtures/yahoo or generated from
// it inside the scraper containers. The default run (2012-2013 daily histories from the PyPI data files) is
// `pnpm start`'s; on the compose stack's FerretDB every check of it would take minutes. Here each of the DAG's five
// scrape tasks still runs, on a few hundred bars.
import { type JobRange, taskRange } from "../start/plan.ts";

export const CHECK_RANGES: readonly JobRange[] = [
  // Real: 49 daily bars with a 4:1 split and a dividend (chart-AAPL-2020-08-31-to-2020-11-07.json).
  taskRange("equities_eod", "2020-08-31", "2020-11-07", ["AAPL"]),
  // Real: one regular session, with one all-null bar (legacy-tests-http/chart-AAPL-2024-10-02-…-interval-1m.json).
  taskRange("equities_intraday", "2024-10-02", "2024-10-02", ["AAPL"]),
  // Real: three daily bars at UTC midnight (chart-BTC-USD-2020-01-01-to-2020-01-03.json).
  taskRange("crypto", "2020-01-01", "2020-01-03", ["BTC-USD"]),
  // Generated, labelled synthetic: one UTC day of BTC-USD 1m bars, which the stream processor rolls up (5m, 1h, 1d).
  taskRange("crypto_intraday", "2024-10-02", "2024-10-02", ["BTC-USD"]),
  // Generated, labelled synthetic: the four Treasury yields over the AAPL window (no real Treasury data exists).
  taskRange("bonds", "2020-08-31", "2020-11-07"),
];
