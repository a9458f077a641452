// The children of one `pnpm start` run, on the shared supervisor (scripts/stack/process.ts): each in a process group
// of its own with a record naming this run as owner and the run's marker in its environment; stopped in reverse
// order; children of an earlier run that was killed hard are found by their records and stopped first.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT, stackPaths } from "../stack/paths.ts";
import {
  addGroup,
  childPids,
  clearRecord,
  isAlive,
  isOrphan,
  markedProcesses,
  pgidOf,
  readRecord,
  type Supervised,
  spawnSupervised,
  stopSupervised,
} from "../stack/process.ts";
import { readLogTail } from "../stack/servers.ts";
import { StartError } from "./args.ts";

/** Every child `pnpm start` may have, in start order, with its grace period between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = {
  airflow: 45_000,
  "stream-processor": 45_000,
  api: 15_000,
  "synthetic-feed": 10_000,
  reconcile: 5_000,
  batch: 5_000,
  "cross-asset": 5_000,
} as const;
export type ChildName = keyof typeof STOP_GRACE_MS;
export const CHILD_NAMES = Object.keys(STOP_GRACE_MS) as ChildName[];

export class RunChildren {
  readonly marker = `${process.pid}-${Date.now().toString(36)}`;
  readonly list: Supervised[] = [];
  #closed = false;

  /** One `pnpm start` per clone: the run's record (.stack/run/start.json), refused while another live run holds it. */
  lock(): void {
    const held = readRecord("start");
    if (held && held.pid !== process.pid && isAlive(held.pid))
      throw new StartError(
        `pnpm start is already running (pid ${held.pid}); stop it with Ctrl-C in its terminal or kill -TERM ${held.pid}`,
      );
    const file = stackPaths.pid("start");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ pid: process.pid, marker: this.marker, startedAt: new Date().toISOString() })}\n`,
    );
  }

  unlock(): void {
    clearRecord("start");
  }

  /** Starts a child: `script` is a shell script, or a Node script run by this Node (repository-relative or absolute). */
  start(name: ChildName, script: string, args: readonly string[], env: Record<string, string | undefined>): Supervised {
    if (this.#closed) throw new StartError("stopping");
    const path = join(REPO_ROOT, script);
    const [cmd, ...rest] = path.endsWith(".sh") ? [path, ...args] : [process.execPath, path, ...args];
    const child = spawnSupervised({
      name,
      cmd: cmd!,
      args: rest,
      env,
      cwd: REPO_ROOT,
      owner: process.pid,
      marker: this.marker,
    });
    this.list.push(child);
    return child;
  }

  /** Runs a child to its end and forgets it; resolves with its exit code. */
  async run(name: ChildName, script: string, args: readonly string[], env: Record<string, string | undefined>) {
    const child = this.start(name, script, args, env);
    const code = await child.exited;
    clearRecord(name);
    this.list.splice(this.list.indexOf(child), 1);
    return { code, log: child.record.log };
  }

  /** For waitUntil's failIf: a message once the child has exited. */
  exited(child: Supervised): () => string | null {
    return () =>
      child.process.exitCode !== null || !isAlive(child.record.pid)
        ? `${child.record.name} exited (code ${child.process.exitCode}); see ${child.record.log}:\n${readLogTail(child.record.log, 20)}`
        : null;
  }

  /** Records the process groups a child's own children made (standalone.sh runs `airflow standalone` in its own). */
  recordGroups(child: Supervised): void {
    for (const pid of childPids(child.record.pid)) {
      const pgid = pgidOf(pid);
      if (pgid !== null && pgid !== child.record.pid) addGroup(child.record, pgid);
    }
  }

  /** Children of an earlier `pnpm start` that was killed hard: stops them; returns what it stopped. */
  async cleanOrphans(): Promise<string[]> {
    const cleaned: string[] = [];
    for (const name of CHILD_NAMES) {
      const rec = readRecord(name);
      if (rec && isOrphan(rec)) {
        await stopSupervised(rec, STOP_GRACE_MS[name]);
        cleaned.push(`${name} (pid ${rec.pid})`);
      } else if (rec && !isAlive(rec.owner ?? 0)) clearRecord(name);
    }
    return cleaned;
  }

  /** Stops every child in reverse order, reporting each; no child can be started afterwards. */
  async stopAll(report: (line: string) => void): Promise<void> {
    this.#closed = true;
    for (const child of [...this.list].reverse()) {
      const t = Date.now();
      const killed = await stopSupervised(child.record, STOP_GRACE_MS[child.record.name as ChildName]);
      report(
        `stopped ${child.record.name} (pid ${child.record.pid}, ${((Date.now() - t) / 1000).toFixed(1)} s${killed ? ", had to SIGKILL" : ""})`,
      );
    }
  }

  /** Kills whatever still carries the run's marker (a descendant that left its group); reports what it found. */
  killStrays(report: (line: string) => void): void {
    const left = markedProcesses(this.marker);
    for (const p of left) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    report(
      left.length > 0
        ? `killed ${left.length} stray process(es): ${left.map((p) => `${p.pid} ${p.command}`).join("; ")}`
        : "no process of this run is left",
    );
  }
}
