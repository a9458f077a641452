// `pnpm start [--source replay|synthetic|yahoo]`: the whole pipeline natively, in one command.
//   native servers (scripts/stack up) -> Airflow standalone -> stream processor -> API and dashboard
//   -> full_pipeline_test_dag through Airflow's REST API -> wait for the stream processor to write the bars
//   -> reconcile and batch over the replayed ranges -> summary -> stays up until Ctrl-C / SIGTERM,
//   then stops everything it started (the native servers only if it started them) and exits 0.
// Idempotent: a second run reuses the installs and the data (deterministic bar ids).
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, connectMongo, createKafkaStats, createLogger } from "@quant/core";
import { clientEnv, down, stackSettings, up } from "../stack/cli.ts";
import { REPO_ROOT, stackPaths } from "../stack/paths.ts";
import { isAlive, portOpen, readPid, StackError, sleep } from "../stack/process.ts";
import { readLogTail, SERVERS, type ServerDef } from "../stack/servers.ts";
import { AirflowApiError, AirflowClient, describeTasks } from "./airflow-client.ts";
import {
  addGroup,
  type Child,
  childPids,
  clearChildRecord,
  isOrphan,
  markedProcesses,
  readChildRecord,
  startChild,
  stopChild,
} from "./children.ts";
import {
  DAG_ID,
  dagConf,
  dataNamespace,
  type JobRange,
  jobRanges,
  rangeArgs,
  rangeLabel,
  SOURCES,
  type Source,
} from "./plan.ts";
import { createProgress, type Progress, secs } from "./progress.ts";
import { pickEnv, RECONCILE_SCRIPT, service } from "./services.ts";
import {
  barDocuments,
  checkObjectStoreConsole,
  collectionCounts,
  formatSummary,
  type JobResult,
  parseBatchLine,
  parseReconcileLine,
} from "./summary.ts";

const USAGE = "usage: pnpm start [--source replay|synthetic|yahoo]";
/** Children of `pnpm start`, in start order (stopped in reverse). */
export const CHILD_NAMES = ["airflow", "stream-processor", "api", "synthetic-feed", "reconcile", "batch"] as const;
const STOP_GRACE_MS: Record<string, number> = {
  airflow: 45_000,
  "stream-processor": 45_000,
  api: 15_000,
  "synthetic-feed": 10_000,
  reconcile: 5_000,
  batch: 5_000,
};
const LOCK = stackPaths.pid("start");

class StartError extends Error {
  override name = "StartError";
}

export interface StartOptions {
  source: Source;
}

export function parseStartArgs(argv: readonly string[]): StartOptions | "help" {
  let values: { source?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { source: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new StartError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) return "help";
  const source = values.source ?? "replay";
  if (!(SOURCES as readonly string[]).includes(source))
    throw new StartError(`--source: expected one of ${SOURCES.join(", ")}, got "${source}"\n${USAGE}`);
  return { source: source as Source };
}

function lockOrFail(marker: string): void {
  try {
    const held = JSON.parse(readFileSync(LOCK, "utf8")) as { pid: number };
    if (held.pid !== process.pid && isAlive(held.pid))
      throw new StartError(
        `pnpm start is already running (pid ${held.pid}); stop it with Ctrl-C in its terminal or kill -TERM ${held.pid}`,
      );
  } catch (err) {
    if (err instanceof StartError) throw err;
  }
  writeFileSync(LOCK, `${JSON.stringify({ pid: process.pid, marker, startedAt: new Date().toISOString() })}\n`);
}

/** Runs fn with the `stack: …` lines of scripts/stack shown as the step's detail instead of printed. */
async function quietStack<T>(
  onLine: (line: string) => void,
  fn: () => Promise<T>,
): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    if (text.startsWith("stack: ")) {
      for (const l of text.trimEnd().split("\n")) lines.push(l);
      onLine(text.trim().replace(/^stack: /, ""));
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    return { result: await fn(), lines };
  } catch (err) {
    for (const l of lines) write(`${l}\n`);
    throw err;
  } finally {
    process.stderr.write = write;
  }
}

function pgidOf(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..." (comm may hold spaces: split after the last ')')
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[2]);
  } catch {
    return null;
  }
}

export class Runner {
  readonly marker = `${process.pid}-${Date.now().toString(36)}`;
  readonly progress: Progress;
  readonly children: Child[] = [];
  startedServers: ServerDef["name"][] = [];
  #stopping: Promise<void> | null = null;
  #logOffsets = new Map<Child, number>();
  #settings = stackSettings();
  readonly env: Record<string, string>;
  readonly airflowPort: number;
  readonly apiPort: number;
  readonly airflowUser: string;
  readonly airflow: AirflowClient;
  runId: string | null = null;
  dashboardReadyMs: number | null = null;

  readonly options: StartOptions;

  constructor(options: StartOptions, progress?: Progress) {
    this.options = options;
    this.progress = progress ?? createProgress(process.stderr, Date.now(), () => this.stopping);
    this.airflowPort = Number(process.env.AIRFLOW_PORT || 8080);
    this.apiPort = Number(process.env.API_PORT || 8000);
    this.airflowUser = process.env.AIRFLOW_ADMIN_USER || "admin";
    const password = process.env.AIRFLOW_ADMIN_PASSWORD;
    if (!password) throw new StartError("AIRFLOW_ADMIN_PASSWORD is not set (see .env.example)");
    // The wiring of every service: the native servers, loopback-only listeners, the DAGs' native runner.
    const servers = clientEnv(this.#settings);
    const data = dataNamespace(options.source, {
      db: process.env.MONGODB_DB || "quant",
      bucket: servers.S3_BUCKET ?? "quant",
    });
    this.env = {
      ...servers,
      MONGODB_DB: data.db,
      S3_BUCKET: data.bucket,
      API_HOST: process.env.API_HOST || "127.0.0.1",
      API_PORT: String(this.apiPort),
      PIPELINE_RUNNER: "native",
      AIRFLOW_ADMIN_USER: this.airflowUser,
      AIRFLOW_ADMIN_PASSWORD: password,
      AIRFLOW_PORT: String(this.airflowPort),
    };
    this.airflow = new AirflowClient(`http://127.0.0.1:${this.airflowPort}`, this.airflowUser, password);
  }

  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** The environment of one service: inherited (with .env / .env.example loaded), plus its variables of the table. */
  envFor(name: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
    const names = service(name).env;
    return { ...process.env, ...pickEnv(names, { ...process.env, ...this.env }), ...extra };
  }

  start(name: string, cmd: string, args: string[], env: Record<string, string | undefined>): Child {
    if (this.stopping) throw new StartError("stopping");
    let offset = 0;
    try {
      offset = statSync(stackPaths.log(name)).size;
    } catch {
      /* a new log */
    }
    const child = startChild({ name, cmd, args, env, marker: this.marker, cwd: REPO_ROOT });
    this.children.push(child);
    this.#logOffsets.set(child, offset);
    return child;
  }

  /** Children of an earlier `pnpm start` that was killed hard: stop them before starting fresh ones. */
  async cleanOrphans(): Promise<string[]> {
    const cleaned: string[] = [];
    for (const name of CHILD_NAMES) {
      const rec = readChildRecord(name);
      if (!rec) continue;
      if (isOrphan(rec)) {
        await stopChild(rec, STOP_GRACE_MS[name] ?? 15_000);
        cleaned.push(`${name} (pid ${rec.pid})`);
      } else if (!isAlive(rec.owner)) clearChildRecord(name);
    }
    return cleaned;
  }

  async servers(): Promise<string> {
    const before = SERVERS.filter((d) => {
      const rec = readPid(d.name);
      return rec !== null && isAlive(rec.pid);
    }).map((d) => d.name);
    return this.progress.step(
      "native servers (Kafka, FerretDB, MinIO)",
      async (s) => {
        await quietStack((l) => s.detail(l), up);
        this.startedServers = SERVERS.map((d) => d.name).filter((n) => !before.includes(n));
        return this.startedServers.length === 0
          ? "already running: reused, and left running at exit"
          : `started ${this.startedServers.join(", ")}${before.length > 0 ? `; reused ${before.join(", ")}` : ""}`;
      },
      (x) => x,
    );
  }

  async startAirflow(): Promise<void> {
    await this.progress.step(
      `Airflow standalone on http://127.0.0.1:${this.airflowPort}`,
      async (s) => {
        if (await portOpen(this.airflowPort))
          throw new StartError(
            `port ${this.airflowPort} is taken by a process pnpm start did not start (another Airflow?); stop it or set AIRFLOW_PORT`,
          );
        s.detail("starting (the first run installs Airflow and migrates its database)");
        const child = this.start(
          "airflow",
          join(REPO_ROOT, "scripts", "airflow", "standalone.sh"),
          [],
          this.envFor("airflow", { AIRFLOW_PORT: String(this.airflowPort) }),
        );
        const deadline = Date.now() + 900_000;
        while (!(await this.airflow.healthy())) {
          if (child.process.exitCode !== null || !isAlive(child.record.pid))
            throw new StartError(
              `Airflow exited at start; see ${child.record.log}:\n${readLogTail(child.record.log, 20)}`,
            );
          if (Date.now() > deadline) throw new StartError(`Airflow not healthy within 900 s; see ${child.record.log}`);
          this.recordAirflowGroup(child);
          await sleep(1_000);
        }
        this.recordAirflowGroup(child);
        s.detail("waiting for the dag-processor to parse the DAGs");
        await this.airflow.login();
        await this.airflow.waitForDag(DAG_ID, 300_000);
      },
      () => `healthy, ${DAG_ID} parsed`,
    );
  }

  /** standalone.sh runs `airflow standalone` in a process group of its own: record it, so a stop reaches it too. */
  recordAirflowGroup(child: Child): boolean {
    let found = false;
    for (const pid of childPids(child.record.pid)) {
      const pgid = pgidOf(pid);
      if (pgid !== null && pgid !== child.record.pid) {
        addGroup(child.record, pgid);
        found = true;
      }
    }
    return found;
  }

  async startStream(): Promise<void> {
    await this.progress.step("stream processor", async () => {
      const svc = service("stream-processor");
      const child = this.start(svc.name, process.execPath, [join(REPO_ROOT, svc.script)], this.envFor(svc.name));
      await this.waitFor(child, 120_000, async () => this.logSince(child).includes("stream processor running"));
    });
  }

  async startApi(): Promise<void> {
    await this.progress.step(
      `API and dashboard on http://127.0.0.1:${this.apiPort}`,
      async () => {
        if (await portOpen(this.apiPort))
          throw new StartError(`port ${this.apiPort} is taken by a process pnpm start did not start; set API_PORT`);
        const svc = service("api");
        const child = this.start(svc.name, process.execPath, [join(REPO_ROOT, svc.script)], this.envFor(svc.name));
        // Listening, and the dashboard page served (the data endpoints may be slow while FerretDB is busy).
        await this.waitFor(child, 120_000, async () => {
          if (!this.logSince(child).includes("api listening")) return false;
          try {
            return (await fetch(`http://127.0.0.1:${this.apiPort}/`, { signal: AbortSignal.timeout(5_000) })).ok;
          } catch {
            return false;
          }
        });
      },
      () => "listening",
    );
  }

  logSince(child: Child): string {
    try {
      return readFileSync(child.record.log, "utf8").slice(this.#logOffsets.get(child) ?? 0);
    } catch {
      return "";
    }
  }

  async waitFor(child: Child, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await ready())) {
      if (child.process.exitCode !== null)
        throw new StartError(
          `${child.record.name} exited (code ${child.process.exitCode}); see ${child.record.log}:\n${readLogTail(child.record.log, 20)}`,
        );
      if (Date.now() > deadline)
        throw new StartError(`${child.record.name} not ready within ${timeoutMs / 1000} s; see ${child.record.log}`);
      await sleep(500);
    }
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

  async waitForStream(): Promise<number> {
    return this.progress.step(
      "stream processor writes the bars to MongoDB",
      async (s) => {
        const logger = createLogger("start", "silent");
        const mongo = await connectMongo({ uri: this.env.MONGODB_URI!, dbName: this.env.MONGODB_DB! }, logger);
        const stats = createKafkaStats(
          {
            brokers: this.env.KAFKA_BROKERS!.split(","),
            clientId: "quant-start",
            group: process.env.STREAM_GROUP_ID || "stream-processor",
          },
          logger,
        );
        try {
          const deadline = Date.now() + 20 * 60_000;
          let previous = -1;
          let stableFor = 0;
          for (;;) {
            const k = await stats.read();
            const bars = k.topics.filter((t) => t.topic !== "dead_letters");
            const lag = bars.reduce((a, t) => a + (t.lag ?? t.high), 0);
            const docs = barDocuments(await collectionCounts(mongo.db));
            stableFor = docs === previous ? stableFor + 1 : 0;
            previous = docs;
            s.detail(`${docs.toLocaleString("en-US")} bar documents, consumer lag ${lag.toLocaleString("en-US")}`);
            // Caught up (every message committed, i.e. written) and the counts stand still.
            if (k.ok && lag === 0 && stableFor >= 2) return docs;
            if (Date.now() > deadline)
              throw new StartError(
                `the stream processor did not catch up within 20 min (lag ${lag}); see ${stackPaths.log("stream-processor")}`,
              );
            await sleep(2_000);
          }
        } finally {
          await stats.close();
          await mongo.close();
        }
      },
      (docs) => `${docs.toLocaleString("en-US")} bar documents, consumer lag 0`,
    );
  }

  async checkDashboard(): Promise<void> {
    await this.progress.step(
      "dashboard serves the bars",
      async () => {
        const base = `http://127.0.0.1:${this.apiPort}`;
        const deadline = Date.now() + 180_000;
        for (;;) {
          try {
            const page = await fetch(`${base}/`, { signal: AbortSignal.timeout(10_000) });
            const url = `${base}/api/bars?symbol=AAPL&interval=1d&limit=500`;
            const bars = (await (await fetch(url, { signal: AbortSignal.timeout(30_000) })).json()) as {
              count?: number;
            };
            if (page.ok && (bars.count ?? 0) > 0) {
              this.dashboardReadyMs = Date.now() - this.progress.t0;
              return bars.count!;
            }
          } catch {
            /* not yet */
          }
          if (Date.now() > deadline) throw new StartError(`the dashboard at ${base}/ shows no AAPL 1d bars`);
          await sleep(1_000);
        }
      },
      (n) => `${n} AAPL 1d bars at http://127.0.0.1:${this.apiPort}/`,
    );
  }

  /** Runs batch or reconcile over one range as a child (own group, stopped on Ctrl-C); its stdout from its log. */
  async job(
    name: "batch" | "reconcile",
    script: string,
    r: JobRange,
  ): Promise<{ code: number | null; output: string }> {
    const child = this.start(
      name,
      process.execPath,
      [join(REPO_ROOT, script), ...rangeArgs(r)],
      this.envFor("batch-processor", { LOG_LEVEL: "warn" }),
    );
    const code = await child.exited;
    clearChildRecord(name);
    this.children.splice(this.children.indexOf(child), 1);
    const output = this.logSince(child);
    return { code, output };
  }

  async reconcileAndBatch(ranges: readonly JobRange[]): Promise<{ reconcile: JobResult[]; batch: JobResult[] }> {
    const reconcile: JobResult[] = [];
    const batch: JobResult[] = [];
    // Reconcile first: it compares what the stream wrote with the batch computation; the batch then rewrites the
    // same documents (its "new" count says whether the stream had missed any).
    await this.progress.step(
      "reconcile: stream documents vs batch computation",
      async (s) => {
        for (const r of ranges) {
          s.detail(rangeLabel(r));
          const { code, output } = await this.job("reconcile", RECONCILE_SCRIPT, r);
          reconcile.push(parseReconcileLine(rangeLabel(r), code, output));
        }
      },
      () => {
        const diffs = reconcile.reduce((a, r) => a + (r.count ?? 0), 0);
        const missing = reconcile.filter((r) => r.count === null).length;
        return `${diffs} difference(s) over ${reconcile.reduce((a, r) => a + (r.documents ?? 0), 0)} documents${missing ? `, ${missing} range(s) failed` : ""}`;
      },
    );
    await this.progress.step(
      "batch processor over the same ranges",
      async (s) => {
        for (const r of ranges) {
          s.detail(rangeLabel(r));
          const { code, output } = await this.job("batch", service("batch-processor").script, r);
          batch.push(parseBatchLine(rangeLabel(r), code, output));
        }
      },
      () =>
        `${batch.reduce((a, r) => a + (r.documents ?? 0), 0)} documents written, ${batch.reduce((a, r) => a + (r.count ?? 0), 0)} new`,
    );
    return { reconcile, batch };
  }

  startFeed(): void {
    const env = { ...process.env, ...pickEnv(["KAFKA_BROKERS", "LOG_LEVEL"], { ...process.env, ...this.env }) };
    this.start("synthetic-feed", process.execPath, [join(REPO_ROOT, "scripts", "start", "synthetic-feed.ts")], env);
    this.progress.line("✓ synthetic feed: 5 crypto symbols, one 1m bar each per minute, to crypto_ticks");
  }

  async summary(results: { reconcile: JobResult[]; batch: JobResult[] }): Promise<string[]> {
    const logger = createLogger("start", "silent");
    const stats = createKafkaStats(
      {
        brokers: this.env.KAFKA_BROKERS!.split(","),
        clientId: "quant-start",
        group: process.env.STREAM_GROUP_ID || "stream-processor",
      },
      logger,
    );
    const mongo = await connectMongo({ uri: this.env.MONGODB_URI!, dbName: this.env.MONGODB_DB! }, logger);
    try {
      const consolePort = this.#settings.s3ConsolePort;
      return formatSummary({
        source: this.options.source,
        runId: this.runId,
        kafka: await stats.read(),
        collections: await collectionCounts(mongo.db),
        data: { db: this.env.MONGODB_DB!, bucket: this.env.S3_BUCKET! },
        reconcile: results.reconcile,
        batch: results.batch,
        urls: {
          dashboard: `http://127.0.0.1:${this.apiPort}/`,
          airflow: `http://127.0.0.1:${this.airflowPort}/`,
          airflowUser: this.airflowUser,
          objectStore: await checkObjectStoreConsole(
            `http://127.0.0.1:${consolePort}/`,
            this.#settings.s3AccessKey,
            this.#settings.s3SecretKey,
          ),
        },
        elapsedMs: Date.now() - this.progress.t0,
        dashboardReadyMs: this.dashboardReadyMs,
      });
    } finally {
      await stats.close();
      await mongo.close();
    }
  }

  /** Stops every child (reverse order, process groups), then the servers this run started; idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const child of [...this.children].reverse()) {
        const t = Date.now();
        const killed = await stopChild(child.record, STOP_GRACE_MS[child.record.name] ?? 15_000);
        this.progress.line(
          `stopped ${child.record.name} (pid ${child.record.pid}, ${secs(Date.now() - t)}${killed ? ", had to SIGKILL" : ""})`,
        );
      }
      if (this.startedServers.length > 0) {
        await quietStack(
          () => {},
          () => down(this.startedServers),
        );
        this.progress.line(`stopped the native servers this run started: ${this.startedServers.join(", ")}`);
      } else this.progress.line("native servers were running before: left running (pnpm stack down stops them)");
      const left = markedProcesses(this.marker);
      for (const p of left) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
      if (left.length > 0)
        this.progress.line(
          `killed ${left.length} stray process(es): ${left.map((p) => `${p.pid} ${p.command}`).join("; ")}`,
        );
      else this.progress.line("no process of this run is left");
      rmSync(LOCK, { force: true });
    })();
    return this.#stopping;
  }
}

async function main(): Promise<number> {
  let options: StartOptions | "help";
  try {
    options = parseStartArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let runner: Runner;
  try {
    runner = new Runner(options);
  } catch (err) {
    if (err instanceof StartError || err instanceof ConfigError) {
      process.stderr.write(`start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const p = runner.progress;
  let resolveSignal: (sig: string) => void = () => {};
  const signalled = new Promise<string>((r) => (resolveSignal = r));
  let signals = 0;
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
      signals++;
      if (signals === 1) {
        process.stderr.write("\n");
        p.line(`${sig}: stopping everything this run started (a second Ctrl-C does not skip the clean stop)`);
        resolveSignal(sig);
      }
    });

  const work = (async () => {
    lockOrFail(runner.marker);
    const cleaned = await runner.cleanOrphans();
    if (cleaned.length > 0) p.line(`stopped processes left by an earlier pnpm start: ${cleaned.join(", ")}`);
    await runner.servers();
    await runner.startAirflow();
    await runner.startStream();
    await runner.startApi();
    const ranges = jobRanges(options.source);
    await runner.runDag(ranges);
    await runner.waitForStream();
    await runner.checkDashboard();
    const results = await runner.reconcileAndBatch(ranges);
    if (options.source === "synthetic") runner.startFeed();
    process.stdout.write(
      `\n${(await runner.summary(results)).join("\n")}\n\nCtrl-C stops everything this run started.\n`,
    );
    return results;
  })();

  const outcome = await Promise.race([
    work.then(
      (r) => ({ kind: "ready" as const, r }),
      (err: unknown) => ({ kind: "failed" as const, err }),
    ),
    signalled.then((sig) => ({ kind: "signal" as const, sig })),
  ]);
  if (outcome.kind === "failed") {
    const err = outcome.err as Error;
    const known = err instanceof StartError || err instanceof StackError || err instanceof AirflowApiError;
    process.stderr.write(`start: ${known ? err.message : (err.stack ?? String(err))}\n`);
    if (err instanceof StartError && err.message.startsWith("pnpm start is already running")) return 1;
    await runner.stop();
    return 1;
  }
  if (outcome.kind === "ready") {
    // Keep an eye on the long-running children until the signal.
    for (const c of runner.children)
      void c.exited.then((code) => {
        if (!runner.stopping) p.line(`${c.record.name} exited (code ${code}); see ${c.record.log}`);
      });
    await signalled;
  }
  await runner.stop();
  return 0;
}

if (import.meta.main) process.exit(await main());
