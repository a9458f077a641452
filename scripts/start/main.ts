// `pnpm start [--source replay|synthetic|yahoo|trades]`: the whole pipeline natively, in one command (trades: the
// trade path instead of the DAG run, see trades.ts).
//   native servers (scripts/stack up) -> Airflow standalone -> stream processor -> API and dashboard
//   -> full_pipeline_test_dag through Airflow's REST API -> wait for the stream processor to write the bars
//   -> reconcile and batch over the replayed ranges -> summary -> stays up until Ctrl-C / SIGTERM,
//   then stops everything it started (the native servers only if it started them) and exits 0.
// Readiness comes from the services themselves (health endpoints, consumer lag, the jobs' JSON results), never from
// their logs. Idempotent: a second run reuses the installs and the data (deterministic bar ids).
import { readFileSync, rmSync } from "node:fs";
import { ConfigError } from "@quant/core";
import { ensureDataFileRecordings } from "../fixtures/data-files.ts";
import { down, up } from "../stack/cli.ts";
import { clientEnv, stackSettings } from "../stack/env.ts";
import { stackPaths } from "../stack/paths.ts";
import { isAlive, portOpen, readRecord, StackError } from "../stack/process.ts";
import { readLogTail, SERVERS, type ServerDef } from "../stack/servers.ts";
import { answersOk, waitUntil } from "../stack/wait.ts";
import { AirflowApiError, AirflowClient, describeTasks } from "./airflow-client.ts";
import { parseStartArgs, StartError, type StartOptions, USAGE } from "./args.ts";
import { RunChildren } from "./children.ts";
import { crossAssetRange, DAG_ID, dagConf, type JobRange, jobRanges, rangeArgs, rangeLabel } from "./plan.ts";
import { createProgress, type Progress } from "./progress.ts";
import { CROSS_ASSET_SCRIPT, nativeWiring, pickEnv, RECONCILE_SCRIPT, service, type Wiring } from "./services.ts";
import {
  barDocuments,
  checkObjectStoreConsole,
  collectionCounts,
  designCounts,
  formatSummary,
  type JobResult,
  readJobResult,
  type Summary,
  seriesOwingCheckpoints,
  withRunData,
} from "./summary.ts";
import { startTrades, tradesSummary } from "./trades.ts";

export class Runner {
  readonly children = new RunChildren();
  readonly progress: Progress;
  /** The servers this run started; null until the servers step has run. */
  startedServers: ServerDef["name"][] | null = null;
  #stopping: Promise<void> | null = null;
  readonly #settings = stackSettings();
  readonly ports: Wiring["ports"];
  /** The wiring of every service: the native servers, loopback-only listeners, the DAGs' native runner. */
  readonly env: Record<string, string>;
  readonly airflow: AirflowClient;
  runId: string | null = null;
  dashboardReadyMs: number | null = null;
  readonly options: StartOptions;

  constructor(options: StartOptions, progress?: Progress) {
    this.options = options;
    this.progress = progress ?? createProgress(process.stderr, Date.now(), () => this.stopping);
    ({ ports: this.ports, env: this.env } = nativeWiring(options.source, clientEnv(this.#settings)));
    this.airflow = new AirflowClient(
      `http://127.0.0.1:${this.ports.airflow}`,
      this.env.AIRFLOW_ADMIN_USER!,
      this.env.AIRFLOW_ADMIN_PASSWORD!,
    );
  }

  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** The environment of one service: inherited (with .env / .env.example loaded), plus its variables of the table. */
  envFor(name: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
    return { ...process.env, ...pickEnv(service(name).env, { ...process.env, ...this.env }), ...extra };
  }

  async servers(): Promise<void> {
    const before = SERVERS.filter((d) => isAlive(readRecord(d.name)?.pid ?? 0)).map((d) => d.name);
    await this.progress.step(
      "native servers (Kafka, FerretDB, MinIO)",
      async (s) => {
        await up((line) => s.detail(line));
        this.startedServers = SERVERS.map((d) => d.name).filter((n) => !before.includes(n));
      },
      () =>
        this.startedServers?.length
          ? `started ${this.startedServers.join(", ")}${before.length > 0 ? `; reused ${before.join(", ")}` : ""}`
          : "already running: reused, and left running at exit",
    );
  }

  async startAirflow(): Promise<void> {
    await this.progress.step(
      `Airflow standalone on http://127.0.0.1:${this.ports.airflow}`,
      async (s) => {
        if (await portOpen(this.ports.airflow))
          throw new StartError(
            `port ${this.ports.airflow} is taken by a process pnpm start did not start (another Airflow?); stop it or set AIRFLOW_PORT`,
          );
        s.detail("starting (the first run installs Airflow and migrates its database)");
        const child = this.children.start("airflow", "scripts/airflow/standalone.sh", [], this.envFor("airflow"));
        const healthy = async () => {
          this.children.recordGroups(child);
          return this.airflow.healthy();
        };
        const failIf = this.children.exited(child);
        await waitUntil(healthy, { what: "Airflow healthy", timeoutMs: 900_000, intervalMs: 1_000, failIf });
        s.detail("waiting for the dag-processor to parse the DAGs");
        await this.airflow.login();
        await this.airflow.waitForDag(DAG_ID, 300_000);
      },
      () => `healthy, ${DAG_ID} parsed`,
    );
  }

  /** Starts a service of the table and waits until `healthUrl` answers 2xx. */
  async startService(name: "stream-processor" | "api", healthUrl: string): Promise<void> {
    const child = this.children.start(name, service(name).script, [], this.envFor(name));
    const failIf = this.children.exited(child);
    await waitUntil(() => answersOk(healthUrl), { what: `${name} ready (${healthUrl})`, timeoutMs: 120_000, failIf });
  }

  async startStream(): Promise<void> {
    const health = `http://127.0.0.1:${this.ports.metrics}/healthz`;
    await this.progress.step("stream processor", () => this.startService("stream-processor", health));
  }

  async startApi(): Promise<void> {
    const base = `http://127.0.0.1:${this.ports.api}`;
    await this.progress.step(
      `API and dashboard on ${base}`,
      async () => {
        if (await portOpen(this.ports.api))
          throw new StartError(`port ${this.ports.api} is taken by a process pnpm start did not start; set API_PORT`);
        // The page itself: the data endpoints may be slow while FerretDB is busy.
        await this.startService("api", `${base}/`);
      },
      () => "listening",
    );
  }

  async runDag(ranges: readonly JobRange[]): Promise<void> {
    await this.progress.step(
      `${DAG_ID} (source ${this.options.source}) through Airflow`,
      async (s) => {
        await this.airflow.unpause(DAG_ID);
        this.runId = await this.airflow.trigger(DAG_ID, dagConf(this.options.source, ranges), "pnpm start");
        s.detail(`run ${this.runId} queued`);
        const final = await this.airflow.waitForRun(DAG_ID, this.runId, 30 * 60_000, (st) =>
          s.detail(`${st.state}: ${describeTasks(st.tasks)}`),
        );
        if (final.state !== "success")
          throw new StartError(
            `run ${this.runId} ${final.state} (${describeTasks(final.tasks)}); task logs in the Airflow UI ` +
              `(${this.airflow.baseUrl}/dags/${DAG_ID}/runs/${encodeURIComponent(this.runId)}) and under .stack/airflow/logs`,
          );
        return describeTasks(final.tasks);
      },
      (x) => `success (${x})`,
    );
  }

  /**
   * Until every bar message is committed by the stream processor's group (i.e. written), the counts stand still, and
   * every series' checkpoint (with its quality rows) has caught up with its latest bar.
   */
  async waitForStream(): Promise<void> {
    let docs = -1;
    let stableFor = 0;
    let owing = 0;
    await this.progress.step(
      "stream processor writes the bars to MongoDB",
      (s) =>
        withRunData(this.env, ({ stats, db }) =>
          waitUntil(
            async () => {
              const k = await stats.read();
              const lag = k.topics.filter((t) => t.topic !== "dead_letters").reduce((a, t) => a + (t.lag ?? t.high), 0);
              const now = barDocuments(await collectionCounts(db));
              stableFor = now === docs ? stableFor + 1 : 0;
              docs = now;
              owing = lag === 0 ? await seriesOwingCheckpoints(db) : -1;
              const checkpoints = owing > 0 ? `, ${owing} series' checkpoints to come` : "";
              s.detail(
                `${docs.toLocaleString("en-US")} bar documents, consumer lag ${lag.toLocaleString("en-US")}${checkpoints}`,
              );
              return k.ok && lag === 0 && stableFor >= 2 && owing === 0;
            },
            { what: "the stream processor catching up", timeoutMs: 20 * 60_000, intervalMs: 2_000 },
          ),
        ),
      () => `${docs.toLocaleString("en-US")} bar documents, consumer lag 0`,
    );
  }

  async checkDashboard(): Promise<void> {
    const base = `http://127.0.0.1:${this.ports.api}`;
    const bars = async () => {
      const res = await fetch(`${base}/api/bars?symbol=AAPL&interval=1d&limit=500`, {
        signal: AbortSignal.timeout(30_000),
      }).catch(() => null);
      const count = res?.ok ? (((await res.json()) as { count?: number }).count ?? 0) : 0;
      if (count > 0 && (await answersOk(`${base}/`))) this.dashboardReadyMs ??= Date.now() - this.progress.t0;
      return this.dashboardReadyMs === null ? null : count;
    };
    await this.progress.step(
      "dashboard serves the bars",
      () => waitUntil(bars, { what: `the dashboard at ${base}/ showing AAPL 1d bars`, timeoutMs: 180_000 }),
      (n) => `${n} AAPL 1d bars at ${base}/`,
    );
  }

  /** Reconcile, then batch, over each range: children stopped on Ctrl-C; their results from --json. */
  async reconcileAndBatch(ranges: readonly JobRange[]): Promise<{ reconcile: JobResult[]; batch: JobResult[] }> {
    const run = async (name: "batch" | "reconcile", script: string, title: string) => {
      const results: JobResult[] = [];
      const json = stackPaths.pid(`${name}-result`);
      const total = (k: "documents" | "count") => results.reduce((a, r) => a + (r[k] ?? 0), 0);
      await this.progress.step(
        title,
        async (s) => {
          for (const r of ranges) {
            s.detail(rangeLabel(r));
            rmSync(json, { force: true });
            const env = this.envFor("batch-processor", { LOG_LEVEL: "warn" });
            const { code, log } = await this.children.run(name, script, [...rangeArgs(r), "--json", json], env);
            results.push(readJobResult(name, rangeLabel(r), code, json, log));
          }
        },
        () =>
          name === "reconcile"
            ? `${total("count")} difference(s) over ${total("documents")} documents` +
              (results.some((r) => r.count === null)
                ? `, ${results.filter((r) => r.count === null).length} range(s) failed`
                : "")
            : `${total("documents")} documents written, ${total("count")} new`,
      );
      return results;
    };
    // Reconcile first: it compares what the stream wrote with the batch computation; the batch then rewrites the
    // same documents (its "new" count says whether the stream had missed any).
    const reconcile = await run("reconcile", RECONCILE_SCRIPT, "reconcile: stream documents vs batch computation");
    const batch = await run("batch", service("batch-processor").script, "batch processor over the same ranges");
    return { reconcile, batch };
  }

  /** Real histories shipped in PyPI packages, converted into recordings the replay source serves (pnpm fixtures). */
  async dataFiles(): Promise<void> {
    await this.progress.step(
      "real histories from PyPI data files (pnpm fixtures)",
      async (s) => ensureDataFileRecordings({ log: (line) => s.detail(line) }),
      (m) => `${m.sources.length} recordings: ${m.sources.map((x) => `${x.symbol} ${x.interval}`).join(", ")}`,
    );
  }

  /** The cross-asset job over the run's daily ranges: yield-curve slopes, crypto/equity correlations, betas. */
  async crossAsset(ranges: readonly JobRange[]): Promise<Summary["crossAsset"]> {
    const range = crossAssetRange(ranges);
    if (!range) return null;
    const label = `${range.from}..${range.to}`;
    const json = stackPaths.pid("cross-asset-result");
    return this.progress.step(
      `cross-asset job ${label}`,
      async () => {
        rmSync(json, { force: true });
        const env = this.envFor("batch-processor", { LOG_LEVEL: "warn" });
        const args = ["--from", range.from, "--to", range.to, "--json", json];
        const { code, log } = await this.children.run("cross-asset", CROSS_ASSET_SCRIPT, args, env);
        try {
          const r = JSON.parse(readFileSync(json, "utf8")) as { series: string[]; documents: number };
          return { label, documents: r.documents, error: null, series: r.series.length };
        } catch {
          return { label, documents: null, error: `exit ${code}: ${readLogTail(log, 1).trim()}`, series: 0 };
        }
      },
      (r) => (r.error ? `failed: ${r.error}` : `${r.series} series, ${r.documents} documents`),
    );
  }

  startFeed(): void {
    const env = { ...process.env, ...pickEnv(["KAFKA_BROKERS", "LOG_LEVEL"], { ...process.env, ...this.env }) };
    this.children.start("synthetic-feed", "scripts/start/synthetic-feed.ts", [], env);
    this.progress.line("✓ synthetic feed: 5 crypto symbols, one 1m bar each per minute, to crypto_ticks");
  }

  async summary(
    results: { reconcile: JobResult[]; batch: JobResult[] },
    crossAsset: Summary["crossAsset"],
  ): Promise<string[]> {
    const { s3ConsolePort, s3AccessKey, s3SecretKey } = this.#settings;
    const objectStore = await checkObjectStoreConsole(`http://127.0.0.1:${s3ConsolePort}/`, s3AccessKey, s3SecretKey);
    return withRunData(this.env, async ({ stats, db }) =>
      formatSummary({
        source: this.options.source,
        runId: this.runId,
        kafka: await stats.read(),
        collections: await collectionCounts(db),
        data: { db: this.env.MONGODB_DB!, bucket: this.env.S3_BUCKET! },
        ...results,
        design: await designCounts(db).catch(() => null),
        crossAsset,
        urls: {
          dashboard: `http://127.0.0.1:${this.ports.api}/`,
          airflow: `http://127.0.0.1:${this.ports.airflow}/`,
          airflowUser: this.env.AIRFLOW_ADMIN_USER!,
          objectStore,
        },
        elapsedMs: Date.now() - this.progress.t0,
        dashboardReadyMs: this.dashboardReadyMs,
      }),
    );
  }

  /** Stops every child (reverse order, process groups), then the servers this run started; idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const line = (text: string) => this.progress.line(text);
      await this.children.stopAll(line);
      if (this.startedServers?.length) {
        await down(this.startedServers, () => {});
        line(`stopped the native servers this run started: ${this.startedServers.join(", ")}`);
      } else if (this.startedServers)
        line("native servers were running before: left running (pnpm stack down stops them)");
      this.children.killStrays(line);
      this.children.unlock();
    })();
    return this.#stopping;
  }
}

async function main(): Promise<number> {
  // A closed stdout/stderr (`pnpm start | tee log`, then Ctrl-C ends tee first) must not stop the clean-up.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  let runner: Runner;
  try {
    const options = parseStartArgs(process.argv.slice(2));
    if (options === "help") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    runner = new Runner(options);
  } catch (err) {
    if (!(err instanceof StartError || err instanceof ConfigError)) throw err;
    process.stderr.write(`start: ${err.message}\n`);
    return 2;
  }
  const p = runner.progress;
  let signals = 0;
  const signalled = new Promise<void>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const)
      process.on(sig, () => {
        // Later signals are absorbed: the clean stop goes on.
        if (signals++ > 0) return;
        process.stderr.write("\n");
        p.line(`${sig}: stopping everything this run started (a second Ctrl-C does not skip the clean stop)`);
        resolve();
      });
  });

  const work = (async () => {
    runner.children.lock();
    const cleaned = await runner.children.cleanOrphans();
    if (cleaned.length > 0) p.line(`stopped processes left by an earlier pnpm start: ${cleaned.join(", ")}`);
    await runner.servers();
    if (runner.options.source === "trades") {
      await runner.startStream();
      await runner.startApi();
      await startTrades(runner);
      process.stdout.write(
        `\n${(await tradesSummary(runner)).join("\n")}\n\nCtrl-C stops everything this run started.\n`,
      );
      return;
    }
    await runner.startAirflow();
    await runner.startStream();
    await runner.startApi();
    const ranges = jobRanges(runner.options.source);
    if (runner.options.source === "replay") await runner.dataFiles();
    await runner.runDag(ranges);
    await runner.waitForStream();
    await runner.checkDashboard();
    const results = await runner.reconcileAndBatch(ranges);
    const crossAsset = await runner.crossAsset(ranges);
    if (runner.options.source === "synthetic") runner.startFeed();
    const summary = await runner.summary(results, crossAsset);
    process.stdout.write(`\n${summary.join("\n")}\n\nCtrl-C stops everything this run started.\n`);
  })();

  const failure = await Promise.race([
    work.then(
      () => null,
      (err: Error) => err,
    ),
    signalled.then(() => null),
  ]);
  if (failure) {
    const known = failure instanceof StartError || failure instanceof StackError || failure instanceof AirflowApiError;
    process.stderr.write(`start: ${known ? failure.message : (failure.stack ?? String(failure))}\n`);
    if (failure instanceof StartError && failure.message.startsWith("pnpm start is already running")) return 1;
    await runner.stop();
    return 1;
  }
  // Ready (or signalled): keep an eye on the long-running children until the signal.
  for (const c of runner.children.list)
    void c.exited.then((code) => {
      if (!runner.stopping) p.line(`${c.record.name} exited (code ${code}); see ${c.record.log}`);
    });
  await signalled;
  await runner.stop();
  return 0;
}

if (import.meta.main) process.exit(await main());
