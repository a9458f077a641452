// The orchestration of `pnpm start` on the native servers, isolated from a developer's running instance (own
// QUANT_STACK_DIR, so own pid files, logs and AIRFLOW_HOME; own ports; own consumer group and database):
// Airflow standalone, stream processor and API as children; full_pipeline_test_dag triggered through the REST
// API and followed to success; the summary; then stop() leaves no process of the run (pid files, process
// groups, /proc marker scan, `ps`) and the native servers, which were up before, still running.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const stackDir = mkdtempSync(join(tmpdir(), "start-it-"));
const suffix = Date.now().toString(36);
Object.assign(process.env, {
  QUANT_STACK_DIR: stackDir,
  AIRFLOW_PORT: "18091",
  AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: "18795",
  AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: "18796",
  API_PORT: "18001",
  STREAM_GROUP_ID: `start-it-${suffix}`,
  STREAM_FROM_BEGINNING: "false",
  MONGODB_DB: `start_it_${suffix}`,
  LOG_LEVEL: "info",
});
// After the environment: paths.ts reads QUANT_STACK_DIR when it is imported.
const { Runner } = await import("./main.ts");
const { markedProcesses } = await import("./children.ts");
const { jobRanges } = await import("./plan.ts");
const { stackSettings } = await import("../stack/cli.ts");
const { portOpen, isAlive } = await import("../stack/process.ts");

const lines: string[] = [];
const progress = {
  t0: Date.now(),
  line: (t: string) => void lines.push(t),
  async step<T>(title: string, run: (s: { detail(t: string): void }) => Promise<T>): Promise<T> {
    const r = await run({ detail: () => {} });
    lines.push(`done: ${title}`);
    return r;
  },
};
const runner = new Runner({ source: "replay" }, progress);

beforeAll(async () => {
  await runner.startAirflow();
  await runner.startStream();
  await runner.startApi();
}, 600_000);

afterAll(async () => {
  await runner.stop();
  const { connectMongo, createLogger } = await import("@quant/core");
  const mongo = await connectMongo(
    { uri: process.env.MONGODB_URI!, dbName: process.env.MONGODB_DB! },
    createLogger("start-it", "silent"),
  );
  await mongo.db.dropDatabase().catch(() => {});
  await mongo.close();
  rmSync(stackDir, { recursive: true, force: true });
}, 120_000);

describe("pnpm start orchestration", () => {
  it("starts Airflow, the stream processor and the API as children with pid records and logs", () => {
    expect(runner.children.map((c) => c.record.name)).toEqual(["airflow", "stream-processor", "api"]);
    expect(readdirSync(join(stackDir, "run")).sort()).toEqual(["airflow.json", "api.json", "stream-processor.json"]);
    // standalone.sh puts `airflow standalone` in a group of its own: recorded, so a stop reaches it.
    expect(runner.children[0]!.record.groups.length).toBeGreaterThan(0);
  });

  it("triggers full_pipeline_test_dag through the REST API and follows it to success", async () => {
    await runner.runDag(jobRanges("replay"));
    expect(runner.runId).toBeTruthy();
    const state = await runner.airflow.runState("full_pipeline_test_dag", runner.runId!);
    expect(state.state).toBe("success");
    expect(state.tasks.map((t) => t.task_id).sort()).toEqual([
      "scrape.bonds",
      "scrape.crypto",
      "scrape.equities_eod",
      "scrape.equities_intraday",
      "scraped",
    ]);
    // The conf reached the run.
    const run = await runner.airflow.request<{ conf: Record<string, string> }>(
      "GET",
      `/api/v2/dags/full_pipeline_test_dag/dagRuns/${encodeURIComponent(runner.runId!)}`,
    );
    expect(run.conf).toMatchObject({ source: "replay", equities_eod_from: "2020-08-31", crypto_interval: "1d" });
  }, 300_000);

  it("summarises topics, collections, dead letters and the URLs", async () => {
    const text = (await runner.summary({ reconcile: [], batch: [] })).join("\n");
    expect(text).toMatch(/equities_ticks\s+[\d,]+/);
    expect(text).toMatch(/dead letters: \d+/);
    expect(text).toContain("dashboard       http://127.0.0.1:18001/");
    expect(text).toContain("Airflow UI      http://127.0.0.1:18091/");
    expect(text).toMatch(/object store {4}http:\/\/127\.0\.0\.1:\d+\/ {2}\(MinIO console/);
  }, 60_000);

  it("stops every child cleanly and leaves the servers that were running before", async () => {
    const pids = runner.children.flatMap((c) => [c.record.pid, ...c.record.groups]);
    await runner.stop();
    expect(readdirSync(join(stackDir, "run"))).toEqual([]);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(markedProcesses(runner.marker)).toEqual([]);
    expect(lines).toContain("no process of this run is left");
    expect(await portOpen(18091)).toBe(false);
    expect(await portOpen(18001)).toBe(false);
    const ps = execFileSync("ps", ["-eo", "pid,pgid,args"], { encoding: "utf8" });
    for (const pid of pids) expect(ps).not.toMatch(new RegExp(`^\\s*\\d+\\s+${pid}\\s`, "m"));
    expect(ps).not.toContain(stackDir);
    // Started before this test (by the global setup): left alone.
    expect(runner.startedServers).toEqual([]);
    const settings = stackSettings();
    for (const port of [settings.kafkaPort, settings.mongoPort, settings.s3Port])
      expect(await portOpen(port)).toBe(true);
  }, 150_000);
});
