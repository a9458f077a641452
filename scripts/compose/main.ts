// pnpm test:compose: the compose stack for real, on a local Docker Engine, with no image registry.
//   1. an engine (the running one, or a private dockerd started here and stopped at the end);
//   2. the stand-in images (docker/offline): the base ones (debian, node) first, then the service stand-ins and our
//      images (on the stand-in Node base) side by side;
//   3. `up --wait` of docker-compose.yml + docker-compose.offline.yml, published on ports of its own (project.ts);
//   4. the checks (vitest, scripts/compose/vitest.config.ts): Airflow's DAG run launching the scraper image, MongoDB,
//      replicas, reconcile and batch through `compose run`, the API and the dashboard in Chromium, a clean `down`;
//   5. `down -v` (again, if a check failed before its own), and the engine stopped with the host as it was found.
// Exit code: the checks'. Logs: .stack/logs/compose/ (every service's log when something failed), dockerd.log.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { composeCommand } from "../stack/compose-cli.ts";
import { REPO_ROOT, STACK_DIR } from "../stack/paths.ts";
import { type Engine, ensureEngine, lockRun } from "./engine.ts";
import { buildBaseImages, buildServiceStandIns } from "./images.ts";
import { endpoints, PROJECT, projectCommand, run, testEnv, writeTestEnv } from "./project.ts";

const LOG_DIR = join(STACK_DIR, "logs", "compose");
const RESULTS = join(STACK_DIR, "compose-results.json");
const started = Date.now();
const timings: { step: string; seconds: number }[] = [];

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const say = (line: string) => console.log(`test:compose [${elapsed()}] ${line}`);

async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = Date.now();
  say(`${name} ...`);
  try {
    const result = await fn();
    if (interrupted && !cleaningUp) throw new Error(`interrupted (${interrupted})`);
    return result;
  } finally {
    const seconds = (Date.now() - t0) / 1000;
    timings.push({ step: name, seconds });
    say(`${name}: ${seconds.toFixed(0)} s`);
  }
}

// Ctrl-C or SIGTERM: the command in progress is stopped, then the stack is taken down and the engine stopped as at
// any other end (the finally of main). A second signal exits at once.
let interrupted: NodeJS.Signals | null = null;
let cleaningUp = false;
const running = new Set<ChildProcess>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = signal;
    say(`${signal}: stopping, then taking everything down`);
    for (const child of running) child.kill("SIGTERM");
  });
}

/**
 * Runs a command with its output on ours, each line prefixed with `label` when given (builds that run side by side);
 * resolves to its exit code.
 */
function live(cmd: readonly string[], env: NodeJS.ProcessEnv = process.env, label = ""): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", label ? "pipe" : "inherit", label ? "pipe" : "inherit"],
    });
    running.add(child);
    if (label) {
      for (const [from, to] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ] as const)
        createInterface({ input: from! }).on("line", (line) => to.write(`[${label}] ${line}\n`));
    }
    child.on("error", () => resolve(127));
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function saveLogs(project: string[]): void {
  mkdirSync(LOG_DIR, { recursive: true });
  writeFileSync(join(LOG_DIR, "ps.txt"), run([...project, "ps", "--all"]).output);
  writeFileSync(join(LOG_DIR, "services.log"), run([...project, "logs", "--no-color", "--timestamps"]).output);
  say(`service logs saved in ${LOG_DIR}`);
}

async function main(): Promise<number> {
  const unlock = lockRun();
  rmSync(RESULTS, { force: true });
  let engine: Engine | undefined;
  let project: string[] | undefined;
  let status = 1;
  try {
    const compose = await step("compose CLI", () => composeCommand());
    engine = await step("Docker engine", () => ensureEngine(say));
    process.env.DOCKER_HOST = engine.host;
    const env = testEnv(engine.socket);
    writeTestEnv(env);
    project = projectCommand(compose);
    const cli = project;
    await step("base images (debian, node) and the stand-ins' binaries", () => buildBaseImages(compose, say, live));
    // Our images need only the Node base: built at the same time as the service stand-ins (on a cold engine,
    // one's downloads overlap the other's work).
    await step("stand-in images (docker/offline) and our images, side by side", async () => {
      const ours = live([...cli, "build"], process.env, "ours").then((code) => {
        if (code !== 0) throw new Error("compose build of our images failed");
      });
      await Promise.all([buildServiceStandIns(compose, live), ours]);
    });
    const up = await step("up --wait", () => live([...cli, "up", "--detach", "--wait", "--wait-timeout", "900"]));
    if (up !== 0) throw new Error(`compose up --wait failed (exit ${up})`);
    const e = endpoints(env);
    say(
      `up: Airflow ${e.airflow}, API and dashboard ${e.api}, MongoDB 127.0.0.1:${env.COMPOSE_MONGO_PORT}, Kafka ${e.kafka}`,
    );
    status = await step("checks", () =>
      live(
        [
          join(REPO_ROOT, "node_modules", ".bin", "vitest"),
          "run",
          "--config",
          "scripts/compose/vitest.config.ts",
          "--reporter=default",
          "--reporter=json",
          `--outputFile=${RESULTS}`,
        ],
        { ...process.env, QUANT_COMPOSE_CLI: JSON.stringify(compose) },
      ),
    );
  } catch (err) {
    say(`failed: ${(err as Error).message}`);
    status = status === 0 ? 1 : status;
  } finally {
    cleaningUp = true;
    if (project) {
      const left = run(["docker", "ps", "--all", "--quiet", "--filter", `name=^${PROJECT}-`]);
      if (left.stdout.trim()) {
        if (status !== 0) saveLogs(project);
        await step("down -v", () => live([...project!, "down", "--volumes", "--remove-orphans"]));
      }
    }
    if (engine?.started) {
      // Scraper containers of failed task tries (a DockerOperator removes only successful ones): the private
      // engine keeps no stopped container between runs.
      run(["docker", "container", "prune", "--force"]);
      // Our images' earlier builds (untagged once rebuilt): the data root keeps only what the next run uses, and the
      // build cache (which the engine trims itself).
      run(["docker", "image", "prune", "--force"]);
      const restored = await step("stop the engine", () => engine!.stop());
      say(`host network restored: ${restored.length > 0 ? restored.join("; ") : "nothing to undo"}`);
    }
    const total = (Date.now() - started) / 1000;
    mkdirSync(STACK_DIR, { recursive: true });
    writeFileSync(join(STACK_DIR, "compose-timings.json"), `${JSON.stringify({ total, timings }, null, 2)}\n`);
    say(`${status === 0 ? "passed" : "FAILED"} in ${total.toFixed(0)} s`);
    unlock();
  }
  return status;
}

process.exit(await main());
