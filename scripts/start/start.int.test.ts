// `pnpm start` as a newcomer runs it: in a fresh copy of the tree (no .stack/, nothing started before), the real
// command, ports of its own from the copy's .env. It must reach its summary (servers installed or reused from the
// cache, Airflow migrated, the replay DAG run, the stream caught up, reconcile with 0 differences), serve the
// dashboard, keep a record per child, and on Ctrl-C (SIGINT to its process group) stop everything it started: its
// children, the native servers it started, and nothing of the copy left running.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackSettings } from "../stack/env.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import { portOpen } from "../stack/process.ts";
import { waitUntil } from "../stack/wait.ts";

const copy = join(mkdtempSync(join(tmpdir(), "start-fresh-")), "clone");
// Ports of its own: this clone's ports + 10,000, so that clones running the suite side by side (each with its own
// STACK_*/API/AIRFLOW/METRICS ports in .env) never meet, and none meets the suite's own servers.
const settings = stackSettings();
const own = (port: number) => port + 10_000;
const airflowPort = own(Number(process.env.AIRFLOW_PORT || 8080));
const PORTS = {
  STACK_KAFKA_PORT: own(settings.kafkaPort),
  STACK_KAFKA_CONTROLLER_PORT: own(settings.kafkaControllerPort),
  STACK_MONGO_PORT: own(settings.mongoPort),
  STACK_S3_PORT: own(settings.s3Port),
  STACK_S3_CONSOLE_PORT: own(settings.s3ConsolePort),
  API_PORT: own(Number(process.env.API_PORT || 8000)),
  AIRFLOW_PORT: airflowPort,
  METRICS_PORT: own(Number(process.env.METRICS_PORT || 9464)),
  AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: airflowPort + 1,
  AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: airflowPort + 2,
};

/** The tree as a clone has it (tracked and new files, not ignored ones), with the installed node_modules linked. */
function freshCopy(): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f && existsSync(join(REPO_ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(REPO_ROOT, f), join(copy, f), { verbatimSymlinks: true });
  }
  // What `pnpm install` made: the root's store links, and each workspace project's links (relative, into the copy).
  symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"));
  for (const pkg of execFileSync("git", ["ls-files", "*/package.json"], { cwd: REPO_ROOT, encoding: "utf8" }).split(
    "\n",
  )) {
    const nm = join(REPO_ROOT, dirname(pkg), "node_modules");
    if (pkg && existsSync(nm))
      cpSync(nm, join(copy, dirname(pkg), "node_modules"), { recursive: true, verbatimSymlinks: true });
  }
  const fixtures = process.env.YAHOO_FIXTURES_DIR ?? resolve(REPO_ROOT, "../shared/fixtures/yahoo");
  writeFileSync(
    join(copy, ".env"),
    `${Object.entries({ ...PORTS, YAHOO_FIXTURES_DIR: fixtures })
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
}

let start: ChildProcess;
let output = "";
let exitCode: number | null | undefined;
/** Set by the last test once the run stopped cleanly. */
let stopped = false;

beforeAll(() => {
  freshCopy();
  expect(existsSync(join(copy, ".stack"))).toBe(false);
  // The test workers' environment points at the suite's servers: a newcomer's shell has none of it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(KAFKA_|MONGODB_|S3_|STACK_|API_|AIRFLOW|METRICS_|STREAM_|QUANT_STACK_DIR)/.test(k),
    ),
  );
  // `pnpm start` is `sh -c <its package.json script>` in the package's folder: the same, without needing pnpm here.
  const script = (JSON.parse(readFileSync(join(copy, "package.json"), "utf8")) as { scripts: { start: string } })
    .scripts.start;
  start = spawn("sh", ["-c", `exec ${script}`], {
    cwd: copy,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  start.stdout!.on("data", (d) => (output += d));
  start.stderr!.on("data", (d) => (output += d));
  start.once("exit", (code) => (exitCode = code));
});

afterAll(async () => {
  if (exitCode === undefined) {
    try {
      process.kill(-start.pid!, "SIGINT");
    } catch {
      /* gone */
    }
    await waitUntil(async () => exitCode !== undefined, { what: "pnpm start stopped", timeoutMs: 240_000 }).catch(
      () => {},
    );
  }
  // Whatever a failed run left (the assertions above have reported it): the copy's servers, by their records.
  spawnSync(process.execPath, ["scripts/stack/cli.ts", "down"], { cwd: copy, stdio: "ignore", timeout: 120_000 });
  // A failed run keeps its logs (.stack/logs, Airflow's task logs in .stack/airflow/logs) for a look.
  if (stopped) rmSync(dirname(copy), { recursive: true, force: true });
  else process.stderr.write(`start.int.test: the copy and its logs are kept in ${copy}/.stack\n`);
}, 400_000);

describe("pnpm start in a fresh clone", () => {
  it("reaches its summary with the pipeline ready and reconcile at 0 differences", async () => {
    await waitUntil(async () => output.includes("Ctrl-C stops everything this run started."), {
      what: "the summary of pnpm start",
      timeoutMs: 1_500_000,
      intervalMs: 1_000,
      failIf: () => (exitCode !== undefined ? `pnpm start exited (${exitCode}):\n${output}` : null),
    });
    expect(output).toMatch(/✓ native servers \(Kafka, FerretDB, MinIO\) .*: started kafka, mongo, s3/);
    expect(output).toMatch(/pipeline ready in [\d.]+ s \(source replay, run /);
    expect(output).toMatch(/reconcile \(stream documents vs batch computation from the lake\): 0 difference\(s\)/);
    // The whole design on real data: SMA200 warm on several daily series, rollups, the cross-asset job's series.
    expect(output).toMatch(/SMA200 warm on ([3-9]|\d{2,}) daily series/);
    expect(output).toMatch(/rollups \(bars_rollup\): 5m [1-9][\d,]*, 1h [1-9][\d,]*, 1d [1-9]/);
    expect(output).toMatch(/cross-asset series \(cross_asset\): ([3-9]|\d{2,}) \(/);
    expect(output).toMatch(/cross-asset job \([\d-]+\.\.[\d-]+\): [1-9][\d,]* documents written/);
    expect(output).not.toMatch(/Warning/);
  }, 1_600_000);

  it("keeps a record per child, Airflow's own process group included, and serves the dashboard", async () => {
    const records = ["start", "airflow", "stream-processor", "api"].map((n) =>
      JSON.parse(readFileSync(join(copy, ".stack", "run", `${n}.json`), "utf8")),
    );
    expect(records.map((r) => typeof r.pid)).toEqual(["number", "number", "number", "number"]);
    expect(records[1].groups.length).toBeGreaterThan(0);
    const bars = (await (
      await fetch(`http://127.0.0.1:${PORTS.API_PORT}/api/bars?symbol=AAPL&interval=1d`)
    ).json()) as {
      count: number;
    };
    expect(bars.count).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${PORTS.METRICS_PORT}/healthz`)).status).toBe(200);
    // Only real data is called replay (docs/ingestion.md, "The default run"); the rest is labelled synthetic.
    const { symbols } = (await (await fetch(`http://127.0.0.1:${PORTS.API_PORT}/api/symbols`)).json()) as {
      symbols: { symbol: string; sources: Record<string, string> }[];
    };
    const bySource = (p: string) =>
      symbols
        .flatMap((s) => Object.entries(s.sources).flatMap(([i, src]) => (src === p ? [`${s.symbol} ${i}`] : [])))
        .sort();
    expect(bySource("replay")).toEqual(
      ["AAPL 1d", "AAPL 1m", "GOOGL 1d", "META 1d", "MSFT 1d", "TSLA 1d", "^GSPC 1d", "^IXIC 1d"].sort(),
    );
    expect(bySource("synthetic")).toEqual(
      ["BTC-USD 1d", "BTC-USD 1h", "BTC-USD 1m", "BTC-USD 5m", "^FVX 1d", "^IRX 1d", "^TNX 1d", "^TYX 1d"].sort(),
    );
  });

  it("on Ctrl-C stops everything it started, even with its output pipe closed (`| tee log`), and leaves nothing", async () => {
    // In a terminal, Ctrl-C ends `tee` too: every later write of pnpm start meets a closed pipe.
    start.stdout!.destroy();
    start.stderr!.destroy();
    process.kill(-start.pid!, "SIGINT");
    await waitUntil(async () => exitCode !== undefined, { what: "pnpm start stopped", timeoutMs: 240_000 });
    expect(exitCode).toBe(0);
    // Its records are gone with what they named: the lock, each child, and the servers it started.
    expect(readdirSync(join(copy, ".stack", "run")).filter((f) => !f.endsWith("-result.json"))).toEqual([]);
    const {
      AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: _w,
      AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: _t,
      ...own
    } = PORTS;
    for (const [name, port] of Object.entries(own)) expect(await portOpen(port), `${name} ${port}`).toBe(false);
    const ps = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
    expect(ps).not.toContain(copy);
    stopped = true;
  }, 300_000);
});
