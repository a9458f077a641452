// `pnpm stack up|down|reset|status|env`: the native Kafka, MongoDB-wire and S3 servers, on 127.0.0.1 only.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, createKafkaBus, createLogger, createObjectStore, TOPIC_SPECS } from "@quant/core";
import { clientEnv, stackSettings } from "./env.ts";
import { STACK_DIR, stackPaths } from "./paths.ts";
import { clearRecord, isAlive, portOpen, readRecord, StackError, spawnSupervised, stopSupervised } from "./process.ts";
import { readLogTail, SERVERS, type ServerDef, type StackSettings } from "./servers.ts";
import { waitUntil } from "./wait.ts";

const READY_TIMEOUT_MS: Record<ServerDef["name"], number> = { kafka: 120_000, mongo: 60_000, s3: 60_000 };

/** Where the progress lines of up/down go (`pnpm start` shows them as its step's detail). */
export type Say = (line: string) => void;
const toStderr: Say = (line) => process.stderr.write(`stack: ${line}\n`);

function answers(def: ServerDef, s: StackSettings, pid: number, timeoutMs: number): Promise<true> {
  return waitUntil(async () => (await portOpen(def.port(s))) && (await def.ready(s)), {
    what: `${def.name} answers`,
    timeoutMs,
    intervalMs: 300,
    failIf: () => (isAlive(pid) ? null : `${def.name}: exited at start`),
    hint: `see ${stackPaths.log(def.name)}`,
  });
}

async function startOne(def: ServerDef, s: StackSettings, say: Say): Promise<void> {
  const p = def.port(s);
  const rec = readRecord(def.name);
  if (rec && isAlive(rec.pid)) {
    await answers(def, s, rec.pid, 30_000).catch(() => {
      throw new StackError(
        `${def.name}: pid ${rec.pid} is running but does not answer; see ${stackPaths.log(def.name)}`,
      );
    });
    say(`${def.name} already running (pid ${rec.pid}, port ${rec.port})`);
    return;
  }
  if (rec) clearRecord(def.name);
  if (await portOpen(p)) {
    throw new StackError(
      `${def.name}: port ${p} is taken by a process this stack did not start; stop it or set STACK_${def.name.toUpperCase()}_PORT`,
    );
  }
  const t0 = Date.now();
  const spec = await def.prepare(s);
  const started = spawnSupervised({ ...spec, env: { ...process.env, ...spec.env } });
  started.process.unref();
  try {
    await answers(def, s, started.record.pid, READY_TIMEOUT_MS[def.name]);
  } catch (err) {
    await stopSupervised(started.record, 5_000);
    throw new StackError(
      `${(err as Error).message}. Last lines of ${stackPaths.log(def.name)}:\n${readLogTail(stackPaths.log(def.name))}`,
    );
  }
  say(
    `${def.name} ${def.version} up on 127.0.0.1:${p} (pid ${started.record.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

/** Topics and bucket the pipeline expects: the native twin of compose's init services. */
async function initResources(s: ReturnType<typeof stackSettings>): Promise<void> {
  const env = clientEnv(s);
  const log = createLogger("stack", "warn");
  const bus = createKafkaBus({ brokers: [env.KAFKA_BROKERS!], clientId: "stack-init" }, log);
  try {
    await bus.connect();
    await bus.ensureTopics(TOPIC_SPECS);
  } finally {
    await bus.close();
  }
  const store = createObjectStore(
    {
      endpoint: env.S3_ENDPOINT!,
      accessKey: s.s3AccessKey,
      secretKey: s.s3SecretKey,
      bucket: s.bucket,
      region: "us-east-1",
    },
    log,
  );
  await store.ensureBucket();
}

export async function up(say: Say = toStderr): Promise<void> {
  const s = stackSettings();
  const t0 = Date.now();
  mkdirSync(STACK_DIR, { recursive: true });
  // Installs run side by side (Maven, two Go builds); each is skipped when already in the cache.
  const missing = SERVERS.filter((d) => !isAlive(readRecord(d.name)?.pid ?? 0));
  if (missing.length > 0)
    say(`installing if needed: ${missing.map((d) => d.name).join(", ")} (logs in ${join(STACK_DIR, "logs")})`);
  await Promise.all(missing.map((d) => d.install()));
  for (const def of SERVERS) await startOne(def, s, say);
  await initResources(s);
  say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; client settings: pnpm stack env`);
}

/** Stops the servers `up` started (by pid); `only` narrows it to some of them (e.g. those one caller started). */
export async function down(only?: readonly ServerDef["name"][], say: Say = toStderr): Promise<void> {
  for (const def of [...SERVERS].reverse()) {
    if (only && !only.includes(def.name)) continue;
    const rec = readRecord(def.name);
    if (!rec) continue;
    const alive = isAlive(rec.pid);
    await stopSupervised(rec, 15_000);
    if (alive) say(`${def.name} stopped (pid ${rec.pid})`);
  }
}

/**
 * Stops the servers `up` started and deletes their data (topics and offsets, MongoDB, the lake): the next `up` starts
 * them empty, as on a fresh clone. The integration tests replay recordings into the same topics that `pnpm start`
 * reads; `reset` between the two gives the run only its own bars.
 */
export async function reset(say: Say = toStderr): Promise<void> {
  await down(undefined, say);
  for (const def of SERVERS) rmSync(stackPaths.data(def.name), { recursive: true, force: true });
  say(`data of ${SERVERS.map((d) => d.name).join(", ")} deleted (${stackPaths.data("")})`);
}

export async function status(): Promise<boolean> {
  const s = stackSettings();
  let allUp = true;
  const rows = [["server", "product", "version", "port", "pid", "state"]];
  for (const def of SERVERS) {
    const rec = readRecord(def.name);
    const alive = rec ? isAlive(rec.pid) : false;
    const answering = alive && (await def.ready(s));
    allUp &&= answering;
    rows.push([
      def.name,
      def.product,
      def.version,
      String(def.port(s)),
      rec && alive ? String(rec.pid) : "-",
      answering ? "up" : alive ? "not answering" : "down",
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ")}\n`);
  return allUp;
}

async function main(): Promise<void> {
  const cmd = process.argv[2];
  try {
    if (cmd === "up") await up();
    else if (cmd === "down") await down();
    else if (cmd === "reset") await reset();
    else if (cmd === "status") process.exitCode = (await status()) ? 0 : 1;
    else if (cmd === "env") {
      const env = clientEnv(stackSettings());
      for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
    } else {
      process.stderr.write("usage: pnpm stack up|down|reset|status|env\n");
      process.exitCode = 2;
    }
  } catch (err) {
    if (err instanceof StackError || err instanceof ConfigError) {
      process.stderr.write(`stack: ${err.message}\n`);
      process.exitCode = 1;
    } else throw err;
  }
}

if (import.meta.main) await main();
