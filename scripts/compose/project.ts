// The compose project `pnpm test:compose` runs: its name, its environment file (.env.example with ports of its own,
// the engine's socket and the recorded Yahoo responses), the compose command with both files, and where the host
// reaches each published service. Shared by main.ts and the checks (*.compose.test.ts).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { CACHE_DIR, REPO_ROOT, STACK_DIR } from "../stack/paths.ts";

/** A name of its own: on an engine that also runs a user's `quant-pipeline`, this run never touches it. */
export const PROJECT = process.env.QUANT_COMPOSE_PROJECT || "quant-pipeline-test";
export const ENV_FILE = join(STACK_DIR, "compose", "test.env");
export const COMPOSE_FILES = ["docker-compose.yml", "docker-compose.offline.yml"];

/**
 * Published ports of the test stack: a set of its own (2xxxx), clear of the native stacks' defaults and their
 * +100…+500 offsets that other clones run at the same time. Each can be moved by setting the variable.
 */
export const TEST_PORTS: Record<string, number> = {
  COMPOSE_KAFKA_PORT: 29092,
  COMPOSE_KAFKA_CONSOLE_PORT: 28081,
  COMPOSE_S3_PORT: 29000,
  COMPOSE_S3_CONSOLE_PORT: 29001,
  COMPOSE_MONGO_PORT: 29017,
  COMPOSE_AIRFLOW_PORT: 28080,
  COMPOSE_API_PORT: 28000,
  COMPOSE_PROMETHEUS_PORT: 29090,
  COMPOSE_PUSHGATEWAY_PORT: 29091,
  COMPOSE_GRAFANA_PORT: 23000,
};

/** The recorded Yahoo responses on this machine (mounted into the scraper containers for --source replay). */
export function fixturesDir(): string {
  const dir = resolve(REPO_ROOT, process.env.YAHOO_FIXTURES_DIR || join("..", "shared", "fixtures", "yahoo"));
  if (!existsSync(dir)) throw new Error(`compose: no recorded Yahoo responses at ${dir} (set YAHOO_FIXTURES_DIR)`);
  return realpathSync(dir);
}

/**
 * The recordings `pnpm fixtures` converted from PyPI data files, if this machine has them (YAHOO_DATA_FILES_DIR, else
 * the cache's): mounted into the scraper containers too, as a user's compose run would. The checks' windows
 * (ranges.ts) read none of their bars; a bad mount would still fail every scraper container.
 */
export function dataFilesDir(): string | null {
  const dir = process.env.YAHOO_DATA_FILES_DIR || join(CACHE_DIR, "fixtures", "yahoo-data-files");
  return existsSync(join(dir, "sources.json")) ? realpathSync(dir) : null;
}

/** The test environment: .env.example (the documented defaults and development secrets) plus this run's settings. */
export function testEnv(socket: string): Record<string, string> {
  const env: Record<string, string> = { ...parseEnv(readFileSync(join(REPO_ROOT, ".env.example"), "utf8")) } as Record<
    string,
    string
  >;
  for (const [name, port] of Object.entries(TEST_PORTS)) env[name] = process.env[name] || String(port);
  Object.assign(env, {
    COMPOSE_PROJECT_NAME: PROJECT,
    DOCKER_SOCKET: socket,
    // Airflow's containers join the socket's group to launch the scraper.
    DOCKER_GID: String(statSync(socket).gid),
    // Recorded data only: this machine reaches no Yahoo, and no scheduled DAG runs (the test triggers its own run).
    PIPELINE_SOURCE: "replay",
    PIPELINE_FIXTURES_HOST_DIR: fixturesDir(),
    PIPELINE_DATA_FILES_HOST_DIR: dataFilesDir() ?? "",
    AIRFLOW_DAGS_PAUSED_AT_CREATION: "true",
  });
  return env;
}

export function writeTestEnv(env: Record<string, string>): void {
  mkdirSync(dirname(ENV_FILE), { recursive: true });
  writeFileSync(
    ENV_FILE,
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
}

/** The test environment as written by main.ts (the checks read it back). */
export function readTestEnv(): Record<string, string> {
  return { ...parseEnv(readFileSync(ENV_FILE, "utf8")) } as Record<string, string>;
}

/** `compose --project-name … --env-file … -f docker-compose.yml -f docker-compose.offline.yml` */
export function projectCommand(compose: readonly string[]): string[] {
  return [
    ...compose,
    "--project-name",
    PROJECT,
    "--env-file",
    ENV_FILE,
    ...COMPOSE_FILES.flatMap((f) => ["-f", join(REPO_ROOT, f)]),
  ];
}

/** Where the host reaches the published services of the test stack. */
export function endpoints(env: Record<string, string>) {
  const user = encodeURIComponent(env.MONGO_ROOT_USER!);
  const password = encodeURIComponent(env.MONGO_ROOT_PASSWORD!);
  return {
    kafka: `127.0.0.1:${env.COMPOSE_KAFKA_PORT}`,
    mongoUri: `mongodb://${user}:${password}@127.0.0.1:${env.COMPOSE_MONGO_PORT}/?authSource=admin`,
    mongoDb: env.MONGODB_DB || "quant",
    airflow: `http://127.0.0.1:${env.COMPOSE_AIRFLOW_PORT}`,
    api: `http://127.0.0.1:${env.COMPOSE_API_PORT}`,
    s3: `http://127.0.0.1:${env.COMPOSE_S3_PORT}`,
    prometheus: `http://127.0.0.1:${env.COMPOSE_PROMETHEUS_PORT}`,
    pushgateway: `http://127.0.0.1:${env.COMPOSE_PUSHGATEWAY_PORT}`,
  };
}

/** Runs one compose (or docker) command to its end; stdout apart (a job's summary line), and both together. */
export function run(
  cmd: readonly string[],
  opts: { timeoutMs?: number } = {},
): { code: number | null; stdout: string; output: string } {
  const r = spawnSync(cmd[0]!, cmd.slice(1), {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 900_000,
  });
  return { code: r.status, stdout: r.stdout ?? "", output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** The compose command prefix chosen by main.ts (QUANT_COMPOSE_CLI, JSON), with this project's files. */
export function composeFromEnv(): string[] {
  const cli = process.env.QUANT_COMPOSE_CLI;
  if (!cli) throw new Error("QUANT_COMPOSE_CLI is not set: run the checks through `pnpm test:compose`");
  return projectCommand(JSON.parse(cli) as string[]);
}
