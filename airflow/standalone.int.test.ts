// scripts/airflow/standalone.sh: Airflow all-in-one from the project's venv answers on its health endpoint,
// logs the configured admin in (SimpleAuthManager), lists the five DAGs with no import error, and stops on SIGTERM.
// Runs on its own ports and AIRFLOW_HOME so that a developer's running instance is not disturbed.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AIRFLOW_SCRIPTS, installAirflow, logTail } from "../scripts/airflow/airflow.ts";

const PORT = 18_080;
const BASE = `http://127.0.0.1:${PORT}`;
const USER = "it-admin";
const PASSWORD = `pw-${Date.now().toString(36)}`;

let home: string;
let log: string;
let child: ChildProcess | undefined;
let exited: Promise<number | null>;

async function waitForHealth(timeoutMs: number): Promise<Record<string, { status: string }>> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (child?.exitCode !== null) throw new Error(`standalone.sh exited early:\n${logTail(log)}`);
    try {
      const res = await fetch(`${BASE}/api/v2/monitor/health`);
      const body = (await res.json()) as Record<string, { status: string }>;
      last = JSON.stringify(body);
      if (res.ok && Object.values(body).every((c) => c.status === "healthy")) return body;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(
    `no healthy answer from ${BASE}/api/v2/monitor/health in ${timeoutMs} ms (last: ${last}):\n${logTail(log)}`,
  );
}

async function token(username: string, password: string): Promise<Response> {
  return fetch(`${BASE}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
}

beforeAll(async () => {
  await installAirflow();
  home = mkdtempSync(join(tmpdir(), "airflow-standalone-"));
  log = join(home, "standalone.log");
  mkdirSync(home, { recursive: true });
  const fd = openSync(log, "a");
  child = spawn(join(AIRFLOW_SCRIPTS, "standalone.sh"), [], {
    env: {
      ...process.env,
      AIRFLOW_HOME: home,
      AIRFLOW_PORT: String(PORT),
      AIRFLOW_ADMIN_USER: USER,
      AIRFLOW_ADMIN_PASSWORD: PASSWORD,
      AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: "18793",
      AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: "18794",
    },
    stdio: ["ignore", fd, fd],
  });
  exited = new Promise((resolve) => child?.once("exit", (code) => resolve(code)));
}, 600_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await exited;
  }
  if (home && !process.env.QUANT_KEEP_AIRFLOW_HOME) rmSync(home, { recursive: true, force: true });
}, 60_000);

describe("scripts/airflow/standalone.sh", () => {
  it("answers healthy on /api/v2/monitor/health for every component", async () => {
    const health = await waitForHealth(180_000);
    expect(Object.keys(health).sort()).toEqual(["dag_processor", "metadatabase", "scheduler", "triggerer"]);
  }, 200_000);

  it("logs in the admin from AIRFLOW_ADMIN_USER/AIRFLOW_ADMIN_PASSWORD and nobody else", async () => {
    expect((await token(USER, "wrong-password")).status).toBe(401);
    expect((await fetch(`${BASE}/api/v2/dags`)).status).toBe(401);
    const res = await token(USER, PASSWORD);
    expect(res.status).toBe(201);
    const { access_token } = (await res.json()) as { access_token: string };
    const auth = { authorization: `Bearer ${access_token}` };

    // The dag-processor parses the folder shortly after start: wait for every DAG (one per `*_dag.py` file, named
    // like it).
    const files = readdirSync(join(import.meta.dirname, "dags"))
      .filter((f) => f.endsWith("_dag.py"))
      .map((f) => f.replace(/\.py$/, ""))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(6);
    let ids: string[] = [];
    for (let i = 0; i < 60 && ids.length < files.length; i++) {
      const dags = (await (await fetch(`${BASE}/api/v2/dags`, { headers: auth })).json()) as {
        dags: { dag_id: string; is_paused: boolean }[];
      };
      ids = dags.dags.map((d) => d.dag_id).sort();
      if (ids.length < files.length) await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(ids).toEqual(files);
    const errors = (await (await fetch(`${BASE}/api/v2/importErrors`, { headers: auth })).json()) as {
      total_entries: number;
    };
    expect(errors.total_entries).toBe(0);
  }, 90_000);

  it("stops every component on SIGTERM", async () => {
    child?.kill("SIGTERM");
    const code = await exited;
    expect(code).toBe(0);
    await expect(fetch(`${BASE}/api/v2/monitor/health`)).rejects.toThrow();
  }, 60_000);
});
