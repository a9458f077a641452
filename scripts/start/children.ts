// The child processes of `pnpm start`: each in a process group of its own (stopped as a whole), output appended
// to .stack/logs/<name>.log, a pid record in .stack/run/<name>.json naming the `pnpm start` that owns it, and a
// marker variable (QUANT_START_RUN) that every descendant inherits, so that a stray process can be found in /proc.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stackPaths } from "../stack/paths.ts";
import { isAlive, sleep } from "../stack/process.ts";

export const MARKER_VAR = "QUANT_START_RUN";

export interface ChildRecord {
  name: string;
  pid: number;
  /** Further process groups to signal on stop (e.g. `airflow standalone`, which standalone.sh puts in its own). */
  groups: number[];
  /** The `pnpm start` process that started it. */
  owner: number;
  marker: string;
  startedAt: string;
  command: string;
  log: string;
}

export interface Child {
  record: ChildRecord;
  process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export function readChildRecord(name: string): ChildRecord | null {
  const file = stackPaths.pid(name);
  if (!existsSync(file)) return null;
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as Partial<ChildRecord>;
    return typeof r.pid === "number" && typeof r.owner === "number" ? (r as ChildRecord) : null;
  } catch {
    return null;
  }
}

function writeRecord(r: ChildRecord): void {
  mkdirSync(dirname(stackPaths.pid(r.name)), { recursive: true });
  writeFileSync(stackPaths.pid(r.name), `${JSON.stringify(r, null, 2)}\n`);
}

export function clearChildRecord(name: string): void {
  rmSync(stackPaths.pid(name), { force: true });
}

export function startChild(opts: {
  name: string;
  cmd: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  marker: string;
  cwd?: string;
}): Child {
  const log = stackPaths.log(opts.name);
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, `\n=== ${new Date().toISOString()} ${opts.cmd} ${opts.args.join(" ")}\n`, { flag: "a" });
  const fd = openSync(log, "a");
  const child = spawn(opts.cmd, [...opts.args], {
    cwd: opts.cwd,
    env: { ...opts.env, [MARKER_VAR]: opts.marker },
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  if (child.pid === undefined) throw new Error(`${opts.name}: could not start ${opts.cmd}; see ${log}`);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  const record: ChildRecord = {
    name: opts.name,
    pid: child.pid,
    groups: [],
    owner: process.pid,
    marker: opts.marker,
    startedAt: new Date().toISOString(),
    command: [opts.cmd, ...opts.args].join(" "),
    log,
  };
  writeRecord(record);
  return { record, process: child, exited };
}

/** Adds a process group to a child's record (so that a later run can clean it up too). */
export function addGroup(record: ChildRecord, pgid: number): void {
  if (!record.groups.includes(pgid)) record.groups.push(pgid);
  writeRecord(record);
}

/** Direct children of a pid (from /proc). */
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
 * SIGTERM to the child's process group (and its extra groups), then SIGKILL to whatever is left after `graceMs`.
 * Resolves once no process of those groups is left. Returns true when it had to SIGKILL.
 */
export async function stopChild(record: ChildRecord, graceMs: number): Promise<boolean> {
  const groups = [record.pid, ...record.groups];
  signalGroup(record.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groups.some(groupAlive) && Date.now() < deadline) await sleep(200);
  // The extra groups are normally stopped by the child itself (standalone.sh stops `airflow standalone`).
  for (const g of record.groups) if (groupAlive(g)) signalGroup(g, "SIGTERM");
  const deadline2 = Date.now() + 5_000;
  while (groups.some(groupAlive) && Date.now() < deadline2) await sleep(200);
  const killed = groups.some(groupAlive);
  for (const g of groups) if (groupAlive(g)) signalGroup(g, "SIGKILL");
  while (groups.some(groupAlive)) await sleep(100);
  clearChildRecord(record.name);
  return killed;
}

export interface MarkedProcess {
  pid: number;
  command: string;
}

/** Every process whose environment holds QUANT_START_RUN=<marker> (any marker when none is given). */
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
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      // Zombies are gone for our purposes: only their exit status is left for the parent to read.
      if (/\) Z /.test(stat)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
      out.push({ pid, command });
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
  return out;
}

/** A child left by a `pnpm start` that is gone (killed hard): true when it is still running. */
export function isOrphan(record: ChildRecord): boolean {
  return !isAlive(record.owner) && (isAlive(record.pid) || record.groups.some(groupAlive));
}
