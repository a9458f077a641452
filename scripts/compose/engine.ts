// The Docker engine `pnpm test:compose` runs on. An engine that already answers (DOCKER_HOST, or the default socket)
// is used as it is and left running. Otherwise Debian's docker.io is installed if missing and a private dockerd is
// started: data root in the cache (so images and build layers survive between runs and clones), exec root, pid file
// and socket beside it. Stopping it puts the host's network back as it was found (netfilter.ts).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, stackPaths } from "../stack/paths.ts";
import { isAlive, StackError, sleep } from "../stack/process.ts";
import { type HostNetwork, restoreHostNetwork, snapshotHostNetwork } from "./netfilter.ts";

export const ENGINE_DIR = join(CACHE_DIR, "docker");
const DEFAULT_SOCKET = "/var/run/docker.sock";

export interface Engine {
  /** unix://… for DOCKER_HOST */
  host: string;
  /** The socket's path on this machine (what Airflow's containers mount). */
  socket: string;
  /** True when this run started the engine (and so stops it). */
  started: boolean;
  stop(): Promise<string[]>;
}

/**
 * One `pnpm test:compose` per cache at a time (they would share the private engine and its data root): a pid file
 * taken with O_EXCL, or taken over when its owner is gone. Returns the release function.
 */
export function lockRun(): () => void {
  const lock = join(ENGINE_DIR, "test-compose.pid");
  mkdirSync(ENGINE_DIR, { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(lock, "utf8").trim());
      if (owner > 0 && isAlive(owner))
        throw new StackError(`compose: another pnpm test:compose is running (pid ${owner}, lock ${lock})`);
      rmSync(lock, { force: true });
    }
  }
}

function answers(host: string): boolean {
  return (
    spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: "ignore",
      timeout: 15_000,
    }).status === 0
  );
}

function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", ...packages],
  ]) {
    const r = spawnSync("apt-get", args, { env, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0)
      throw new StackError(`compose: apt-get ${args.join(" ")} failed (exit ${r.status}); needs root`);
  }
}

/** Installs Debian packages whose command is missing (the engine, debootstrap); needs root. */
export function ensureCommands(needed: Record<string, string>): void {
  const missing = Object.entries(needed).filter(([cmd]) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0);
  if (missing.length > 0) aptInstall([...new Set(missing.map(([, pkg]) => pkg))]);
}

export async function ensureEngine(log: (line: string) => void): Promise<Engine> {
  const configured = process.env.DOCKER_HOST;
  if (configured) {
    if (!answers(configured)) throw new StackError(`compose: DOCKER_HOST=${configured} does not answer`);
    log(`using the engine at ${configured}`);
    return external(configured);
  }
  if (existsSync(DEFAULT_SOCKET) && answers(`unix://${DEFAULT_SOCKET}`)) {
    log(`using the engine at ${DEFAULT_SOCKET}`);
    return external(`unix://${DEFAULT_SOCKET}`);
  }
  ensureCommands({ dockerd: "docker.io", docker: "docker.io", iptables: "iptables" });
  return startPrivate(log);
}

function external(host: string): Engine {
  return { host, socket: host.replace(/^unix:\/\//, ""), started: false, stop: async () => [] };
}

async function startPrivate(log: (line: string) => void): Promise<Engine> {
  const socket = join(ENGINE_DIR, "docker.sock");
  const pidfile = join(ENGINE_DIR, "dockerd.pid");
  const host = `unix://${socket}`;
  mkdirSync(ENGINE_DIR, { recursive: true });
  if (existsSync(pidfile)) {
    const pid = Number(readFileSync(pidfile, "utf8").trim());
    if (pid > 0 && isAlive(pid))
      throw new StackError(
        `compose: the private engine of ${ENGINE_DIR} is running (pid ${pid}), started by another run; ` +
          `wait for it, or set DOCKER_HOST=${host} to share it`,
      );
    rmSync(pidfile, { force: true });
  }
  const before: HostNetwork = snapshotHostNetwork();
  const logFile = stackPaths.log("dockerd");
  mkdirSync(join(logFile, ".."), { recursive: true });
  const fd = openSync(logFile, "a");
  const child = spawn(
    "dockerd",
    [
      "--data-root",
      join(ENGINE_DIR, "data"),
      "--exec-root",
      join(ENGINE_DIR, "exec"),
      "--pidfile",
      pidfile,
      "-H",
      host,
    ],
    { detached: true, stdio: ["ignore", fd, fd] },
  );
  child.unref();
  const pid = child.pid!;
  const deadline = Date.now() + 60_000;
  while (!answers(host)) {
    if (!isAlive(pid) || Date.now() > deadline) {
      if (isAlive(pid)) process.kill(pid, "SIGTERM");
      restoreHostNetwork(before);
      throw new StackError(`compose: dockerd did not start; see ${logFile}`);
    }
    await sleep(500);
  }
  log(`started a private dockerd (pid ${pid}, data root ${join(ENGINE_DIR, "data")}, log ${logFile})`);
  return {
    host,
    socket,
    started: true,
    async stop() {
      if (isAlive(pid)) process.kill(pid, "SIGTERM");
      const until = Date.now() + 60_000;
      while (isAlive(pid) && Date.now() < until) await sleep(250);
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
      while (isAlive(pid)) await sleep(100);
      return restoreHostNetwork(before);
    },
  };
}
