// `pnpm stack up|down|status|env`: the native Kafka, MongoDB-wire and S3 servers, on 127.0.0.1 only.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigError,
  createKafkaBus,
  createLogger,
  createObjectStore,
  envInt,
  loadConfig,
  TOPIC_SPECS,
} from "@quant/core";
import { z } from "zod";
import { REPO_ROOT, STACK_DIR, stackPaths } from "./paths.ts";
import { clearPid, isAlive, portOpen, readPid, StackError, sleep, startDetached, stopPid } from "./process.ts";
import { readLogTail, SERVERS, type ServerDef, type StackSettings } from "./servers.ts";

const port = (def: number) => envInt(1, 65_535).default(def);

const stackEnv = {
  STACK_KAFKA_PORT: port(9092),
  STACK_KAFKA_CONTROLLER_PORT: port(9093),
  STACK_MONGO_PORT: port(27017),
  STACK_S3_PORT: port(9000),
  STACK_S3_CONSOLE_PORT: port(9001),
  S3_ACCESS_KEY: z.string().min(3, "expected at least 3 characters"),
  S3_SECRET_KEY: z.string().min(8, "expected at least 8 characters"),
  S3_BUCKET: z.string().default("quant"),
};

/** `.env` first, then `.env.example` for anything still unset: the example works as is for local runs. */
export function loadDotEnv(): void {
  for (const file of [".env", ".env.example"]) {
    const path = join(REPO_ROOT, file);
    if (existsSync(path)) process.loadEnvFile(path);
  }
}

export function stackSettings(): StackSettings & { bucket: string } {
  loadDotEnv();
  const c = loadConfig(stackEnv);
  return {
    kafkaPort: c.STACK_KAFKA_PORT,
    kafkaControllerPort: c.STACK_KAFKA_CONTROLLER_PORT,
    mongoPort: c.STACK_MONGO_PORT,
    s3Port: c.STACK_S3_PORT,
    s3ConsolePort: c.STACK_S3_CONSOLE_PORT,
    s3AccessKey: c.S3_ACCESS_KEY,
    s3SecretKey: c.S3_SECRET_KEY,
    bucket: c.S3_BUCKET,
  };
}

/** The client variables that point at the native servers. */
export function clientEnv(s: ReturnType<typeof stackSettings>): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${s.kafkaPort}`,
    MONGODB_URI: `mongodb://127.0.0.1:${s.mongoPort}/`,
    S3_ENDPOINT: `http://127.0.0.1:${s.s3Port}`,
    S3_ACCESS_KEY: s.s3AccessKey,
    S3_SECRET_KEY: s.s3SecretKey,
    S3_BUCKET: s.bucket,
  };
}

const READY_TIMEOUT_MS: Record<ServerDef["name"], number> = { kafka: 120_000, mongo: 60_000, s3: 60_000 };

function say(line: string): void {
  process.stderr.write(`stack: ${line}\n`);
}

async function startOne(def: ServerDef, s: StackSettings): Promise<void> {
  const p = def.port(s);
  const rec = readPid(def.name);
  if (rec && isAlive(rec.pid)) {
    if (await waitReady(def, s, rec.pid, 30_000)) {
      say(`${def.name} already running (pid ${rec.pid}, port ${rec.port})`);
      return;
    }
    throw new StackError(`${def.name}: pid ${rec.pid} is running but does not answer; see ${stackPaths.log(def.name)}`);
  }
  if (rec) clearPid(def.name);
  if (await portOpen(p)) {
    throw new StackError(
      `${def.name}: port ${p} is taken by a process this stack did not start; stop it or set STACK_${def.name.toUpperCase()}_PORT`,
    );
  }
  const t0 = Date.now();
  const spec = await def.prepare(s);
  const started = startDetached(spec);
  if (!(await waitReady(def, s, started.pid, READY_TIMEOUT_MS[def.name]))) {
    const alive = isAlive(started.pid);
    await stopPid(started.pid, 5_000);
    clearPid(def.name);
    throw new StackError(
      `${def.name}: ${alive ? "did not answer within " + READY_TIMEOUT_MS[def.name] / 1000 + " s" : "exited at start"}; ` +
        `see ${stackPaths.log(def.name)}. Last lines:\n${readLogTail(stackPaths.log(def.name))}`,
    );
  }
  say(
    `${def.name} ${def.version} up on 127.0.0.1:${p} (pid ${started.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

async function waitReady(def: ServerDef, s: StackSettings, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return false;
    if ((await portOpen(def.port(s))) && (await def.ready(s))) return true;
    await sleep(300);
  }
  return false;
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

export async function up(): Promise<void> {
  const s = stackSettings();
  const t0 = Date.now();
  mkdirSync(STACK_DIR, { recursive: true });
  // Installs run side by side (Maven, two Go builds); each is skipped when already in the cache.
  const missing = SERVERS.filter((d) => !readPid(d.name) || !isAlive(readPid(d.name)!.pid));
  if (missing.length > 0)
    say(`installing if needed: ${missing.map((d) => d.name).join(", ")} (logs in ${join(STACK_DIR, "logs")})`);
  await Promise.all(missing.map((d) => d.install()));
  for (const def of SERVERS) await startOne(def, s);
  await initResources(s);
  const env = clientEnv(s);
  writeFileSync(
    stackPaths.envFile,
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
  say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; client settings in ${stackPaths.envFile}`);
}

/** Stops the servers `up` started (by pid); `only` narrows it to some of them (e.g. those one caller started). */
export async function down(only?: readonly ServerDef["name"][]): Promise<void> {
  for (const def of [...SERVERS].reverse()) {
    if (only && !only.includes(def.name)) continue;
    const rec = readPid(def.name);
    if (!rec) continue;
    if (isAlive(rec.pid)) {
      await stopPid(rec.pid);
      say(`${def.name} stopped (pid ${rec.pid})`);
    }
    clearPid(def.name);
  }
}

export async function status(): Promise<boolean> {
  const s = stackSettings();
  let allUp = true;
  const rows = [["server", "product", "version", "port", "pid", "state"]];
  for (const def of SERVERS) {
    const rec = readPid(def.name);
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
    else if (cmd === "status") process.exitCode = (await status()) ? 0 : 1;
    else if (cmd === "env") {
      const env = clientEnv(stackSettings());
      for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
    } else {
      process.stderr.write("usage: pnpm stack up|down|status|env\n");
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
