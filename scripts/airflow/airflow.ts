// Airflow from TypeScript: install the venv (scripts/airflow/install.sh) and run the CLI with the project's
// settings (scripts/airflow/env.sh) in a given AIRFLOW_HOME, with its output in a log file.
import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT, stackPaths } from "../stack/paths.ts";

export const AIRFLOW_SCRIPTS = join(REPO_ROOT, "scripts", "airflow");
export const DAGS_FOLDER = join(REPO_ROOT, "airflow", "dags");

export class AirflowError extends Error {
  override name = "AirflowError";
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  log: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Output goes here (appended); default .stack/logs/airflow-<first arg>.log */
  log?: string;
  timeoutMs?: number;
}

/** Runs a command with stdout and stderr appended to a log file; resolves with its exit (never rejects on exit code). */
export function runLogged(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const log = opts.log ?? stackPaths.log(`airflow-${args[0] ?? "cmd"}`);
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", fd, fd],
      detached: true,
    });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            try {
              process.kill(-(child.pid ?? 0), "SIGTERM");
            } catch {
              /* gone */
            }
          }, opts.timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new AirflowError(`could not run ${cmd}: ${err.message}; see ${log}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, log });
    });
  });
}

/** The last `lines` lines of a log, for error messages. */
export function logTail(log: string, lines = 40): string {
  try {
    return readFileSync(log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Installs Airflow (idempotent) and returns the venv directory. */
export async function installAirflow(): Promise<string> {
  const log = stackPaths.log("airflow-install-run");
  const out = join(dirname(log), "airflow-install-run.out");
  const result = await runLogged("bash", ["-c", `"${AIRFLOW_SCRIPTS}/install.sh" > "${out}"`], { log });
  if (result.code !== 0) {
    throw new AirflowError(`scripts/airflow/install.sh failed (exit ${result.code}):\n${logTail(log, 20)}`);
  }
  const venv = readFileSync(out, "utf8").trim().split("\n").pop() ?? "";
  if (!venv) throw new AirflowError(`scripts/airflow/install.sh printed no venv directory; see ${log}`);
  return venv;
}

/** `airflow <args>` (or `--python <args>`) through scripts/airflow/airflow.sh, in the given AIRFLOW_HOME. */
export function airflow(home: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runLogged(join(AIRFLOW_SCRIPTS, "airflow.sh"), args, {
    ...opts,
    env: { AIRFLOW_HOME: home, ...opts.env },
  });
}

export interface DagTaskReport {
  operator: string;
  retries: number;
  retry_delay_s: number;
  retry_exponential_backoff: number;
  max_retry_delay_s: number | null;
  execution_timeout_s: number | null;
  command: string | null;
  upstream: string[];
  /** DockerOperator: host directories mounted into the container (else empty). */
  mounts: { source: string; target: string; read_only: boolean }[];
  /** DockerOperator: the container's non-secret variables (else empty). */
  environment: Record<string, string>;
}

export interface DagReport {
  fileloc: string;
  timetable: { __type: string; __var: Record<string, unknown> };
  timetable_summary: string | null;
  timetable_description: string | null;
  next_runs: { run_after: string; data_interval_start: string; data_interval_end: string }[];
  catchup: boolean;
  max_active_runs: number;
  dagrun_timeout_s: number | null;
  params: Record<string, unknown>;
  tasks: Record<string, DagTaskReport>;
}

export interface DagBagReport {
  import_errors: Record<string, string>;
  dags: Record<string, DagReport>;
  docker_provider_imported: boolean;
}

/** Parses the DAG folder with DagBag (scripts/airflow/dag_report.py); no metadata database needed. */
export async function dagReport(home: string, env: Record<string, string> = {}): Promise<DagBagReport> {
  const out = join(home, `dag-report-${Date.now()}.json`);
  const log = join(home, "dag-report.log");
  const result = await airflow(home, ["--python", join(AIRFLOW_SCRIPTS, "dag_report.py"), DAGS_FOLDER, out], {
    env,
    log,
  });
  let report: DagBagReport;
  try {
    report = JSON.parse(readFileSync(out, "utf8")) as DagBagReport;
  } catch {
    throw new AirflowError(`dag_report.py wrote no report (exit ${result.code}):\n${logTail(log, 30)}`);
  }
  return report;
}
