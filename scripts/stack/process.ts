// Starting, finding and stopping the servers this clone started. A server is "ours" only if its pid
// file says so; `down` never touches a process it did not start.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { CACHE_DIR, stackPaths } from "./paths.ts";

export interface PidRecord {
  name: string;
  pid: number;
  port: number;
  version: string;
  startedAt: string;
  command: string;
}

export class StackError extends Error {
  override name = "StackError";
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readPid(name: string): PidRecord | null {
  const file = stackPaths.pid(name);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PidRecord;
  } catch {
    return null;
  }
}

export function clearPid(name: string): void {
  rmSync(stackPaths.pid(name), { force: true });
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

export interface StartSpec {
  name: string;
  port: number;
  version: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** Starts a detached server with stdout and stderr appended to its log file, and records its pid. */
export function startDetached(spec: StartSpec): PidRecord {
  const log = stackPaths.log(spec.name);
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(dirname(stackPaths.pid(spec.name)), { recursive: true });
  const fd = openSync(log, "a");
  const child = spawn(spec.cmd, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  if (child.pid === undefined) throw new StackError(`${spec.name}: could not start ${spec.cmd}; see ${log}`);
  child.unref();
  const record: PidRecord = {
    name: spec.name,
    pid: child.pid,
    port: spec.port,
    version: spec.version,
    startedAt: new Date().toISOString(),
    command: [spec.cmd, ...spec.args].join(" "),
  };
  writeFileSync(stackPaths.pid(spec.name), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** SIGTERM, then SIGKILL after `graceMs`; the whole process group, since it was started detached. */
export async function stopPid(pid: number, graceMs = 15_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signal("SIGKILL");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs an install step with its output in a log file; on failure rejects with an error that names
 * the step and the log.
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
