// The one process supervisor of the native scripts: the servers of `pnpm stack` and the children of `pnpm start`.
// Every process is started detached (a process group of its own, so a stop reaches its descendants), with its
// output appended to .stack/logs/<name>.log and a record in .stack/run/<name>.json (pid, extra process groups,
// the `pnpm start` that owns it). Children of `pnpm start` also carry a marker variable that every descendant
// inherits, so a stray process can be found in /proc. Nothing is ever stopped that a record does not name.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CACHE_DIR, stackPaths } from "./paths.ts";

export { sleep };

export class StackError extends Error {
  override name = "StackError";
}

export const MARKER_VAR = "QUANT_START_RUN";

export interface ProcessRecord {
  name: string;
  pid: number;
  /** Further process groups to signal on stop (e.g. `airflow standalone`, which standalone.sh puts in its own). */
  groups: number[];
  /** The `pnpm start` process that owns it; null for the servers of `pnpm stack`, which outlive their starter. */
  owner: number | null;
  /** The value of MARKER_VAR its descendants inherit (null: not marked). */
  marker: string | null;
  startedAt: string;
  command: string;
  log: string;
  /** Servers: the port they listen on and the version started. */
  port?: number;
  version?: string;
}

export interface Supervised {
  record: ProcessRecord;
  process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export interface SpawnSpec {
  name: string;
  cmd: string;
  args: readonly string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  owner?: number | null;
  marker?: string | null;
  port?: number;
  version?: string;
}

/** Whether a process runs (pid 0 and below never name one: kill(0) would signal our own group). */
export function isAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export function readRecord(name: string): ProcessRecord | null {
  const file = stackPaths.pid(name);
  if (!existsSync(file)) return null;
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as Partial<ProcessRecord>;
    return typeof r.pid === "number" ? ({ groups: [], owner: null, marker: null, ...r } as ProcessRecord) : null;
  } catch {
    return null;
  }
}

function writeRecord(r: ProcessRecord): void {
  mkdirSync(dirname(stackPaths.pid(r.name)), { recursive: true });
  writeFileSync(stackPaths.pid(r.name), `${JSON.stringify(r, null, 2)}\n`);
}

export function clearRecord(name: string): void {
  rmSync(stackPaths.pid(name), { force: true });
}

/** Starts a detached process with its output appended to its log, and records it. */
export function spawnSupervised(spec: SpawnSpec): Supervised {
  const log = stackPaths.log(spec.name);
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, `\n=== ${new Date().toISOString()} ${spec.cmd} ${spec.args.join(" ")}\n`, { flag: "a" });
  const fd = openSync(log, "a");
  const marker = spec.marker ?? null;
  const child = spawn(spec.cmd, [...spec.args], {
    cwd: spec.cwd,
    env: { ...(spec.env ?? process.env), ...(marker ? { [MARKER_VAR]: marker } : {}) },
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  if (child.pid === undefined) throw new StackError(`${spec.name}: could not start ${spec.cmd}; see ${log}`);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  const record: ProcessRecord = {
    name: spec.name,
    pid: child.pid,
    groups: [],
    owner: spec.owner ?? null,
    marker,
    startedAt: new Date().toISOString(),
    command: [spec.cmd, ...spec.args].join(" "),
    log,
    ...(spec.port === undefined ? {} : { port: spec.port }),
    ...(spec.version === undefined ? {} : { version: spec.version }),
  };
  writeRecord(record);
  return { record, process: child, exited };
}

/** Adds a process group to a record (so that a stop, or a later run's clean-up, reaches it too). */
export function addGroup(record: ProcessRecord, pgid: number): void {
  if (!record.groups.includes(pgid)) record.groups.push(pgid);
  writeRecord(record);
}

/** Direct children of a pid. */
export function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** The process group of a pid, from /proc/<pid>/stat ("pid (comm) state ppid pgrp …"; comm may hold spaces). */
export function pgidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return null;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* gone */
  }
}

/**
 * SIGTERM to the process group (then to its extra groups), SIGKILL to whatever is left after `graceMs`; resolves
 * once no process of those groups is left, with the record removed. Returns true when it had to SIGKILL.
 */
export async function stopSupervised(record: ProcessRecord, graceMs: number): Promise<boolean> {
  const groups = [record.pid, ...record.groups];
  const anyAlive = () => groups.some(groupAlive) || isAlive(record.pid);
  signalGroup(record.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (anyAlive() && Date.now() < deadline) await sleep(200);
  // The extra groups are normally stopped by the process itself (standalone.sh stops `airflow standalone`).
  for (const g of record.groups) if (groupAlive(g)) signalGroup(g, "SIGTERM");
  const deadline2 = Date.now() + 5_000;
  while (anyAlive() && Date.now() < deadline2) await sleep(200);
  const killed = anyAlive();
  for (const g of groups) if (groupAlive(g)) signalGroup(g, "SIGKILL");
  while (anyAlive()) await sleep(100);
  clearRecord(record.name);
  return killed;
}

/** A process left by a `pnpm start` that is gone (killed hard): true when it is still running. */
export function isOrphan(record: ProcessRecord): boolean {
  return record.owner !== null && !isAlive(record.owner) && (isAlive(record.pid) || record.groups.some(groupAlive));
}

export interface MarkedProcess {
  pid: number;
  command: string;
}

/** Every live process whose environment holds MARKER_VAR=<marker> (any marker when none is given). */
export function markedProcesses(marker?: string): MarkedProcess[] {
  const needle = marker === undefined ? `${MARKER_VAR}=` : `${MARKER_VAR}=${marker}\0`;
  const out: MarkedProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1");
      if (!`${environ}\0`.includes(needle)) continue;
      // Zombies are gone for our purposes: only their exit status is left for the parent to read.
      if (/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "latin1"))) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
      out.push({ pid, command });
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
  return out;
}

/**
 * Runs an install step with its output in a log file; on failure rejects with an error that names the step and
 * the log.
 */
export function runStep(
  server: string,
  step: string,
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<void> {
  const log = stackPaths.installLog(server);
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, `\n$ ${cmd} ${args.join(" ")}\n`, { flag: "a" });
  const fd = openSync(log, "a");
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", fd, fd] });
    child.once("error", (err) =>
      reject(new StackError(`${server}: install step "${step}" could not run ${cmd}: ${err.message}; see ${log}`)),
    );
    child.once("exit", (code) =>
      code === 0
        ? resolvePromise()
        : reject(new StackError(`${server}: install step "${step}" failed (exit ${code}); see ${log}`)),
    );
  });
}

/** Go builds share the module and build caches of the download cache. */
export function goEnv(): Record<string, string> {
  return {
    GOMODCACHE: join(CACHE_DIR, "go", "mod"),
    GOCACHE: join(CACHE_DIR, "go", "build"),
    GOFLAGS: "-modcacherw",
    // Use the machine's Go (>= the modules' go lines); never download a toolchain.
    GOTOOLCHAIN: "local",
  };
}

/** A Go module downloaded into the module cache (`go mod download -json`): its read-only source directory. */
export function downloadedModule(module: string, version: string, owner: string): string {
  const dl = spawnSync("go", ["mod", "download", "-json", `${module}@${version}`], {
    env: { ...process.env, ...goEnv() },
    encoding: "utf8",
  });
  if (dl.status !== 0) throw new StackError(`${owner}: go mod download ${module}@${version} failed: ${dl.stderr}`);
  return (JSON.parse(dl.stdout) as { Dir: string }).Dir;
}

/**
 * `build(work)` in a writable copy of a downloaded module, removed afterwards: how a module is built as the main module
 * when its go.mod has replace or exclude directives (which `go install …@v` refuses).
 */
export async function inModuleCopy(
  module: string,
  version: string,
  owner: string,
  build: (work: string) => Promise<void>,
): Promise<void> {
  const dir = downloadedModule(module, version, owner);
  const work = mkdtempSync(join(tmpdir(), `${owner}-src-`));
  try {
    cpSync(dir, work, { recursive: true });
    spawnSync("chmod", ["-R", "u+w", work]);
    await build(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `go build` of `pkg` in `dir` into `out` (stripped, no local paths), as the install step `step` of `server`. */
export function goBuild(server: string, step: string, dir: string, pkg: string, out: string): Promise<void> {
  return runStep(server, step, "go", ["build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg], {
    cwd: dir,
    env: goEnv(),
  });
}
