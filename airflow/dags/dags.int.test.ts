// The DAGs under real Airflow (from PyPI, installed by scripts/airflow/install.sh from airflow/requirements.lock):
// (a) every DAG file imports and serializes, with the designed schedules, retries and timeouts;
// (b) `airflow dags test full_pipeline_test_dag` runs the scraper natively with the replay source against the
//     native servers, and the bars arrive in Kafka and in the lake.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { airflow, type DagBagReport, dagReport, installAirflow, logTail } from "../../scripts/airflow/airflow.ts";
import { barsInKafka, rawObjectsSince, type SeenBar } from "../../scripts/airflow/verify.ts";

const DAG_IDS = [
  "bonds_eod_batch_dag",
  "crypto_stream_dag",
  "equities_eod_batch_dag",
  "equities_intraday_stream_dag",
  "full_pipeline_test_dag",
  "reconcile_drift_dag",
];

// Cold install from PyPI takes ~15 s here; allow for a slow registry.
const INSTALL_TIMEOUT_MS = 600_000;

let home: string;

beforeAll(async () => {
  await installAirflow();
  home = mkdtempSync(join(tmpdir(), "airflow-test-"));
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (home && !process.env.QUANT_KEEP_AIRFLOW_HOME) rmSync(home, { recursive: true, force: true });
});

describe("DAG files (DagBag, as the dag-processor parses them)", () => {
  let report: DagBagReport;

  beforeAll(async () => {
    report = await dagReport(home, { PIPELINE_RUNNER: "native", PIPELINE_SOURCE: "yahoo" });
  }, 120_000);

  it("import without errors and define the six DAGs", () => {
    expect(report.import_errors).toEqual({});
    expect(Object.keys(report.dags).sort()).toEqual(DAG_IDS);
  });

  it("run one at a time, without catchup, with retries (exponential backoff) and timeouts on every task", () => {
    for (const [id, dag] of Object.entries(report.dags)) {
      expect(dag.catchup, id).toBe(false);
      expect(dag.max_active_runs, id).toBe(1);
      expect(dag.dagrun_timeout_s, id).toBeGreaterThan(0);
      for (const [taskId, task] of Object.entries(dag.tasks)) {
        expect(task.retries, `${id}.${taskId}`).toBeGreaterThanOrEqual(1);
        expect(task.retry_exponential_backoff, `${id}.${taskId}`).toBe(2);
        expect(task.max_retry_delay_s, `${id}.${taskId}`).toBeGreaterThan(task.retry_delay_s);
        expect(task.execution_timeout_s, `${id}.${taskId}`).toBeGreaterThan(0);
      }
    }
  });

  it("schedule EOD after the US close on weekdays, in New York time (DST-aware)", () => {
    const eod = report.dags.equities_eod_batch_dag!;
    expect(eod.timetable.__type).toBe("airflow.timetables.trigger.CronTriggerTimetable");
    expect(eod.timetable.__var).toMatchObject({ expression: "30 17 * * 1-5", timezone: "America/New_York" });
    // After Fri 2026-11-20 00:00Z: Fri 17:30 EST = 22:30Z, then Mon 2026-11-23 (no weekend runs).
    expect(eod.next_runs.slice(0, 2).map((r) => r.run_after)).toEqual([
      "2026-11-20T22:30:00+00:00",
      "2026-11-23T22:30:00+00:00",
    ]);
    const bonds = report.dags.bonds_eod_batch_dag!;
    expect(bonds.timetable.__var).toMatchObject({ expression: "45 17 * * 1-5", timezone: "America/New_York" });
    expect(bonds.next_runs[0]?.run_after).toBe("2026-11-20T22:45:00+00:00");
  });

  it("schedule intraday every 5 minutes in US market hours and crypto every 5 minutes around the clock", () => {
    const intraday = report.dags.equities_intraday_stream_dag!;
    expect(intraday.timetable.__type).toBe("airflow.timetables.trigger.MultipleCronTriggerTimetable");
    expect(intraday.timetable.__var).toMatchObject({ timezone: "America/New_York" });
    // 09:35 EST = 14:35Z is the first run of the day.
    expect(intraday.next_runs[0]?.run_after).toBe("2026-11-20T14:35:00+00:00");
    expect(intraday.next_runs[1]?.run_after).toBe("2026-11-20T14:40:00+00:00");
    const crypto = report.dags.crypto_stream_dag!;
    expect(crypto.timetable.__var).toMatchObject({ expression: "*/5 * * * *", timezone: "UTC" });
    expect(crypto.next_runs.slice(0, 2).map((r) => r.run_after)).toEqual([
      "2026-11-20T00:00:00+00:00",
      "2026-11-20T00:05:00+00:00",
    ]);
    expect(report.dags.full_pipeline_test_dag!.timetable.__type).toBe("airflow.timetables.simple.NullTimetable");
  });

  it("launch the scraper CLI natively with the source from PIPELINE_SOURCE and the run's data interval", () => {
    const eod = report.dags.equities_eod_batch_dag!.tasks.scrape_equities_eod!;
    expect(eod.operator).toBe("BashOperator");
    expect(eod.command).toMatch(/scripts\/node24 node \S+\/services\/scraper\/src\/main\.ts equities-eod /);
    expect(eod.command).toContain("--source '{{ params.source }}'");
    expect(eod.command).toContain("--from '{{ data_interval_start | ds }}' --to '{{ data_interval_end | ds }}'");
    expect(report.dags.equities_eod_batch_dag!.params.source).toBe("yahoo");
    expect(report.dags.full_pipeline_test_dag!.params.source).toBe("replay");
    const jobs = Object.values(report.dags).flatMap((d) =>
      Object.values(d.tasks).flatMap((t) => /scraper\/src\/main\.ts (\S+)/.exec(t.command ?? "")?.[1] ?? []),
    );
    expect(new Set(jobs)).toEqual(new Set(["equities-eod", "equities-intraday", "crypto", "bonds"]));
  });

  it("reconcile the previous trading day every day at 06:00 UTC, natively through reconcile's CLI", () => {
    const drift = report.dags.reconcile_drift_dag!;
    expect(drift.timetable.__var).toMatchObject({ expression: "0 6 * * *", timezone: "UTC" });
    expect(drift.next_runs.slice(0, 2).map((r) => r.run_after)).toEqual([
      "2026-11-20T06:00:00+00:00",
      "2026-11-21T06:00:00+00:00",
    ]);
    const task = drift.tasks.reconcile_previous_trading_day!;
    expect(task.operator).toBe("BashOperator");
    expect(task.command).toMatch(
      /scripts\/node24 node \S+\/services\/batch-processor\/src\/reconcile-main\.ts --trading-day-before '\{\{ data_interval_end \| ds \}\}'$/,
    );
  });

  it("leave a join point after the scrapers in full_pipeline_test_dag for the later stages", () => {
    const tasks = report.dags.full_pipeline_test_dag!.tasks;
    expect(tasks.scraped?.upstream).toEqual([
      "scrape.bonds",
      "scrape.crypto",
      "scrape.crypto_intraday",
      "scrape.equities_eod",
      "scrape.equities_intraday",
    ]);
    // Each job gets its own symbols (those real data covers) unless `symbols` replaces them all.
    expect(tasks["scrape.equities_eod"]?.command).toContain(
      "{% if params.symbols or params.equities_eod_symbols %} --symbols '{{ params.symbols or params.equities_eod_symbols }}'{% endif %}",
    );
  });

  it("use DockerOperator with the same arguments when PIPELINE_RUNNER=docker", async () => {
    const docker = await dagReport(home, {
      PIPELINE_RUNNER: "docker",
      SCRAPER_IMAGE: "quant-pipeline/scraper:test",
      BATCH_IMAGE: "quant-pipeline/batch-processor:test",
      PIPELINE_DOCKER_NETWORK: "quant-pipeline_default",
      PIPELINE_FIXTURES_HOST_DIR: "/srv/quant/fixtures/yahoo",
      PIPELINE_DATA_FILES_HOST_DIR: "/srv/quant/fixtures/yahoo-data-files",
    });
    expect(docker.import_errors).toEqual({});
    const task = docker.dags.equities_eod_batch_dag!.tasks.scrape_equities_eod!;
    expect(task.operator).toBe("DockerOperator");
    // The replay recordings: both host directories mounted read-only, the scraper pointed at them.
    expect(task.mounts).toEqual([
      { source: "/srv/quant/fixtures/yahoo", target: "/fixtures/yahoo", read_only: true },
      { source: "/srv/quant/fixtures/yahoo-data-files", target: "/fixtures/yahoo-data-files", read_only: true },
    ]);
    expect(task.environment).toMatchObject({
      YAHOO_FIXTURES_DIR: "/fixtures/yahoo",
      YAHOO_DATA_FILES_DIR: "/fixtures/yahoo-data-files",
    });
    expect(task.command).toMatch(/^equities-eod --source '\{\{ params\.source \}\}' --from /);
    const native = report.dags.equities_eod_batch_dag!.tasks.scrape_equities_eod!;
    expect(native.command?.endsWith(task.command ?? "?")).toBe(true);
    // reconcile: the batch-processor image, its reconcile entrypoint, the same arguments.
    const drift = docker.dags.reconcile_drift_dag!.tasks.reconcile_previous_trading_day!;
    expect(drift.operator).toBe("DockerOperator");
    expect(drift.command).toBe("--trading-day-before '{{ data_interval_end | ds }}'");
    // The docker provider is imported in that branch only.
    expect(docker.docker_provider_imported).toBe(true);
    expect(report.docker_provider_imported).toBe(false);
  }, 120_000);

  it("report a bad PIPELINE_RUNNER as an import error of every DAG file", async () => {
    const bad = await dagReport(home, { PIPELINE_RUNNER: "kubernetes" });
    expect(Object.keys(bad.import_errors)).toHaveLength(DAG_IDS.length);
    expect(Object.values(bad.import_errors)[0]).toContain("PIPELINE_RUNNER must be one of native, docker");
  }, 120_000);
});

describe("full_pipeline_test_dag against the native servers (replay source)", () => {
  it("runs every scraper and leaves their bars in Kafka and in the lake", async () => {
    const startedMs = Date.now();
    const log = join(home, "dags-test.log");
    const env = { PIPELINE_RUNNER: "native", LOG_LEVEL: process.env.LOG_LEVEL ?? "info" };

    const migrate = await airflow(home, ["db", "migrate"], { env, log, timeoutMs: 180_000 });
    expect(migrate.code, `airflow db migrate failed:\n${logTail(log)}`).toBe(0);
    const run = await airflow(home, ["dags", "test", "full_pipeline_test_dag", "2026-11-21"], {
      env,
      log,
      timeoutMs: 540_000,
    });
    expect(run.code, `airflow dags test failed (full log: ${log}):\n${logTail(log, 60)}`).toBe(0);

    // Bars from this run. Real data: the daily equities and indices (PyPI data files and the TSLA recording), AAPL 1m
    // (recorded 2024-10-02). Generated and labelled synthetic: BTC-USD (daily between its real monthly closes, 1m) and
    // the Treasury yields.
    const expected = [
      ...["AAPL", "MSFT", "GOOGL", "TSLA", "^GSPC", "^IXIC"].map((symbol) => ({
        topic: "equities_ticks",
        id: new RegExp(`^\\${symbol}\\|1d\\|201[23]-`),
        atLeast: 250,
        source: "replay",
      })),
      { topic: "equities_ticks", id: /^META\|1d\|2012-/, atLeast: 150, source: "replay" },
      { topic: "equities_ticks", id: /^AAPL\|1m\|2024-10-02T/, atLeast: 300, source: "replay" },
      { topic: "crypto_ticks", id: /^BTC-USD\|1d\|201[23]-/, atLeast: 300, source: "synthetic" },
      { topic: "crypto_ticks", id: /^BTC-USD\|1m\|2024-10-0[12]T/, atLeast: 2_880, source: "synthetic" },
      ...["^IRX", "^FVX", "^TNX", "^TYX"].map((symbol) => ({
        topic: "bonds_data",
        id: new RegExp(`^\\${symbol}\\|1d\\|2012-`),
        atLeast: 200,
        source: "synthetic",
      })),
    ];
    const matching = (bars: SeenBar[], e: (typeof expected)[number]) =>
      bars.filter((b) => b.topic === e.topic && e.id.test(b.id));
    const bars = await barsInKafka({
      sinceMs: startedMs,
      done: (seen) => expected.every((e) => matching(seen, e).length >= e.atLeast),
      timeoutMs: 30_000,
    });
    for (const e of expected) {
      const found = matching(bars, e);
      expect(
        found.length,
        `${e.id} on ${e.topic}: ${found.length} bars; ${bars.length} bars from this run in all`,
      ).toBeGreaterThanOrEqual(e.atLeast);
      expect(new Set(found.map((b) => b.source)), `${e.id}`).toEqual(new Set([e.source]));
    }

    const keys = await rawObjectsSince(startedMs);
    expect(keys).toEqual(
      expect.arrayContaining([
        "raw/asset=equity/interval=1d/symbol=AAPL/date=2012-01-03/bars.parquet",
        "raw/asset=equity/interval=1d/symbol=%5EGSPC/date=2013-03-01/bars.parquet",
        "raw/asset=equity/interval=1m/symbol=AAPL/date=2024-10-02/bars.parquet",
        "raw/asset=crypto/interval=1d/symbol=BTC-USD/date=2012-03-01/bars.parquet",
        "raw/asset=crypto/interval=1m/symbol=BTC-USD/date=2024-10-02/bars.parquet",
      ]),
    );
    expect(
      keys.filter((k) => k.startsWith("raw/asset=bond/interval=1d/symbol=%5ETNX/date=2012-")).length,
    ).toBeGreaterThan(200);
  }, 600_000);
});
