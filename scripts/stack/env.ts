// The environment of every native command (`pnpm stack|start|scrape|stream|batch|reconcile|api|bench…`), in order of
// precedence: variables already set, then `.env`, then the client settings of the native stack (derived from its
// STACK_*_PORT variables), then `.env.example`. So the example works as is, and a port changed in `.env` moves the
// clients with it. Loaded once per process: by the stack and start scripts, and by `node --import` (local-env.ts)
// for the service commands of package.json.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { envInt, loadConfig } from "@quant/core";
import { z } from "zod";
import { REPO_ROOT } from "./paths.ts";
import type { StackSettings } from "./servers.ts";

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

export type LocalStackSettings = StackSettings & { bucket: string };

function readEnvFile(name: string): Record<string, string> {
  const path = join(REPO_ROOT, name);
  return existsSync(path) ? (parseEnv(readFileSync(path, "utf8")) as Record<string, string>) : {};
}

function setUnset(env: NodeJS.ProcessEnv, values: Record<string, string>): void {
  for (const [k, v] of Object.entries(values)) if (env[k] === undefined) env[k] = v;
}

let loaded = false;

/** Fills `process.env` as described above (once; later calls do nothing). Throws ConfigError on a bad STACK_ port. */
export function loadLocalEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (loaded && env === process.env) return;
  if (env === process.env) loaded = true;
  setUnset(env, readEnvFile(".env"));
  const example = readEnvFile(".env.example");
  setUnset(env, clientEnv(settingsFrom({ ...example, ...env })));
  setUnset(env, example);
}

function settingsFrom(env: Record<string, string | undefined>): LocalStackSettings {
  const c = loadConfig(stackEnv, env);
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

/** The native servers' ports and keys, from the local environment. */
export function stackSettings(): LocalStackSettings {
  loadLocalEnv();
  return settingsFrom(process.env);
}

/** The client variables that point at the native servers. */
export function clientEnv(s: LocalStackSettings): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${s.kafkaPort}`,
    MONGODB_URI: `mongodb://127.0.0.1:${s.mongoPort}/`,
    S3_ENDPOINT: `http://127.0.0.1:${s.s3Port}`,
    S3_ACCESS_KEY: s.s3AccessKey,
    S3_SECRET_KEY: s.s3SecretKey,
    S3_BUCKET: s.bucket,
  };
}
