// The compose stack of `pnpm test:compose`, running on a local Docker Engine: every container healthy, Airflow's
// full_pipeline_test_dag launching the scraper image through the engine's socket, the stream processor's replicas
// writing MongoDB, reconcile and batch through `compose run --rm`, the API and dashboard on the published port.
// Run by scripts/compose/main.ts (never by `pnpm test`: it needs the stack up).
import { connectMongo, createKafkaStats, createLogger, type MongoHandle } from "@quant/core";
import { AssignerProtocol, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../stack/process.ts";
import { AirflowClient } from "../start/airflow-client.ts";
import { DAG_ID, dagConf, rangeArgs, rangeLabel } from "../start/plan.ts";
import { composeFromEnv, endpoints, PROJECT, readTestEnv, run } from "./project.ts";
import { CHECK_RANGES } from "./ranges.ts";

const compose = composeFromEnv();
const env = readTestEnv();
const at = endpoints(env);
const ranges = CHECK_RANGES;
const quiet = createLogger("compose-test", "silent");
const BAR_TOPICS = ["crypto_ticks", "equities_ticks", "bonds_data"];

interface PsEntry {
  Service: string;
  Name: string;
  State: string;
  Health: string;
  ExitCode: number;
}

function ps(): PsEntry[] {
  const r = run([...compose, "ps", "--all", "--format", "json"]);
  expect(r.code, r.output).toBe(0);
  // One JSON object per line (compose v2.21+), or one array (older).
  const text = r.output.trim();
  return text.startsWith("[") ? (JSON.parse(text) as PsEntry[]) : text.split("\n").map((l) => JSON.parse(l) as PsEntry);
}

/** The --json result a batch or reconcile run wrote to its stdout (the last JSON line). */
function jobResult<T>(stdout: string): T {
  const line = stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .at(-1);
  expect(line, stdout).toBeDefined();
  return JSON.parse(line!) as T;
}

let mongo: MongoHandle;
let dagStartedAt: Date;

beforeAll(async () => {
  mongo = await connectMongo({ uri: at.mongoUri, dbName: at.mongoDb }, quiet);
});

afterAll(async () => {
  await mongo?.close();
});

describe.sequential(`compose stack ${PROJECT} (docker-compose.yml + docker-compose.offline.yml)`, () => {
  it("every long-running service is running (healthy where it has a healthcheck); every one-shot job exited 0", () => {
    const entries = ps();
    const oneShot = new Set([
      "redpanda-init",
      "minio-init",
      "airflow-init",
      "mongo-indexes",
      "scraper",
      "batch-processor",
    ]);
    const byService = Map.groupBy(entries, (e) => e.Service);
    for (const [service, containers] of byService) {
      for (const c of containers) {
        if (oneShot.has(service)) {
          expect({ service, state: c.State, exit: c.ExitCode }).toEqual({ service, state: "exited", exit: 0 });
        } else {
          expect({ service, state: c.State }).toEqual({ service, state: "running" });
          if (c.Health) expect({ service, health: c.Health }).toEqual({ service, health: "healthy" });
        }
      }
    }
    expect(byService.get("stream-processor")?.length).toBe(2);
    // Everything the offline run has (Grafana and Redpanda Console are left out, docker-compose.offline.yml).
    for (const s of [
      "redpanda",
      "minio",
      "mongodb",
      "airflow-db",
      "airflow-apiserver",
      "airflow-scheduler",
      "airflow-dag-processor",
      "airflow-triggerer",
      "api",
      "prometheus",
      "pushgateway",
    ]) {
      expect(byService.has(s), s).toBe(true);
    }
  });

  it("full_pipeline_test_dag runs in the containerized Airflow, each task launching the scraper image through the socket", async () => {
    const airflow = new AirflowClient(at.airflow, env.AIRFLOW_ADMIN_USER!, env.AIRFLOW_ADMIN_PASSWORD!);
    await airflow.waitForDag(DAG_ID, 300_000);
    await airflow.unpause(DAG_ID);
    dagStartedAt = new Date();
    const runId = await airflow.trigger(DAG_ID, dagConf("replay", ranges), "pnpm test:compose");
    const result = await airflow.waitForRun(DAG_ID, runId, 900_000);
    // Every task of the DAG: one scraper task per range (the DAG's five), then `scraped`.
    expect(result.tasks.map((t) => [t.task_id, t.state]).sort()).toEqual(
      [...ranges.map((r) => [`scrape.${r.task}`, "success"]), ["scraped", "success"]].sort(),
    );
    expect(result.state).toBe("success");
    // The DockerOperator ran one scraper container per task on the engine, each exiting 0 (then removed).
    const events = run([
      "docker",
      "events",
      "--since",
      String(Math.floor(dagStartedAt.getTime() / 1000)),
      "--until",
      String(Math.ceil(Date.now() / 1000)),
      "--filter",
      "type=container",
      "--filter",
      "image=quant-pipeline/scraper:latest",
      "--filter",
      "event=die",
      "--format",
      "{{json .Actor.Attributes}}",
    ]);
    expect(events.code, events.output).toBe(0);
    const died = events.output
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { exitCode: string; image: string });
    // One container per try: the last try of each task exited 0. An earlier try (retried under load) may have left
    // a container that Airflow stops later: at most one per retry.
    const scrapes = result.tasks.filter((t) => t.task_id.startsWith("scrape."));
    const retries = scrapes.reduce((n, t) => n + t.try_number - 1, 0);
    expect(died.filter((d) => d.exitCode === "0")).toHaveLength(scrapes.length);
    expect(died.filter((d) => d.exitCode !== "0").length).toBeLessThanOrEqual(retries);
  });

  it("the stream processor writes every bar to MongoDB (consumer lag 0)", async () => {
    const stats = createKafkaStats({ brokers: [at.kafka], clientId: "compose-test", group: "stream-processor" }, quiet);
    try {
      // Offsets are committed after the documents are written: lag 0 on every bar topic means every bar is stored.
      const deadline = Date.now() + 600_000;
      for (;;) {
        const k = await stats.read();
        const bars = k.topics.filter((t) => BAR_TOPICS.includes(t.topic));
        const lag = bars.reduce((a, t) => a + (t.lag ?? t.high), 0);
        if (k.ok && lag === 0 && bars.some((t) => t.high > 0)) break;
        if (Date.now() > deadline) throw new Error(`stream processor did not catch up: lag ${lag}`);
        await sleep(2_000);
      }
      // The recorded series exactly (see ranges.ts); the generated ones (labelled synthetic) and the rollups of the
      // BTC-USD 1m bars present.
      const count = (collection: string, filter: Record<string, unknown>) =>
        mongo.db.collection(collection).countDocuments(filter);
      expect(await count("bars_daily", { symbol: "AAPL", interval: "1d" })).toBe(49);
      expect(await count("bars_daily", { symbol: "BTC-USD", interval: "1d" })).toBe(3);
      // 390 minutes of the session, less the all-null bar (dropped by the scraper, never a bar of zeros).
      expect(await count("bars_intraday", { symbol: "AAPL", interval: "1m" })).toBe(389);
      expect(await count("bars_intraday", { symbol: "BTC-USD", interval: "1m", source: "synthetic" })).toBe(1440);
      for (const y of ["^IRX", "^FVX", "^TNX", "^TYX"])
        expect(await count("bars_daily", { symbol: y, interval: "1d", source: "synthetic" }), y).toBeGreaterThan(40);
      // 24 hours of 1m bars close 23 hourly windows: the last one stays open (the watermark lags 2 minutes, @quant/enrich).
      expect(await count("bars_rollup", { symbol: "BTC-USD", interval: "1h" })).toBe(23);
    } finally {
      await stats.close();
    }
  });

  it("two stream-processor replicas share the partitions of the bar topics, each partition owned once", async () => {
    const kafka = new Kafka({ brokers: [at.kafka], clientId: "compose-test", logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups(["stream-processor"]);
      const group = groups[0]!;
      expect(group.state).toBe("Stable");
      expect(group.members).toHaveLength(2);
      const owned = group.members.map((m) => {
        const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {};
        return Object.entries(assignment).flatMap(([topic, parts]) => parts.map((p) => `${topic}/${p}`));
      });
      for (const partitions of owned) expect(partitions.length).toBeGreaterThan(0);
      const all = owned.flat().sort();
      const expected = (await admin.fetchTopicMetadata({ topics: BAR_TOPICS })).topics
        .flatMap((t) => t.partitions.map((p) => `${t.name}/${p.partitionId}`))
        .sort();
      expect(all).toEqual(expected);
      // Two distinct containers: their client hosts differ.
      expect(new Set(group.members.map((m) => m.clientHost)).size).toBe(2);
    } finally {
      await admin.disconnect();
    }
  });

  it.each(ranges.map((r) => [rangeLabel(r), r] as const))(
    "reconcile %s (compose run --rm batch-processor): 0 differences",
    (label, r) => {
      const out = run([
        ...compose,
        "run",
        "--rm",
        "--no-deps",
        "--entrypoint",
        "node",
        "batch-processor",
        "services/batch-processor/src/reconcile-main.ts",
        ...rangeArgs(r),
        "--json",
        "/dev/stdout",
      ]);
      expect(out.code, out.output).toBe(0);
      const result = jobResult<{ compared: number; differences: number }>(out.stdout);
      expect(result.compared, label).toBeGreaterThan(0);
      expect(result.differences, label).toBe(0);
    },
  );

  it("batch --date … --asset-type … --symbols … (compose run --rm batch-processor) rewrites the stream's documents, none new", () => {
    const out = run([
      ...compose,
      "run",
      "--rm",
      "--no-deps",
      "batch-processor",
      "--date",
      "2020-10-01",
      "--asset-type",
      "equities",
      // One series: the batch recomputes each series from its origin, minutes per series on FerretDB under load.
      "--symbols",
      "AAPL",
      "--json",
      "/dev/stdout",
    ]);
    expect(out.code, out.output).toBe(0);
    const result = jobResult<{ documents: number; inserted: number }>(out.stdout);
    expect(result.documents).toBeGreaterThan(0);
    expect(result.inserted).toBe(0);
  });

  it("the API and the dashboard answer on the published port, serving the pipeline's bars", async () => {
    const health = await fetch(`${at.api}/api/health`);
    expect(health.status).toBe(200);
    const page = await fetch(`${at.api}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const bars = (await (await fetch(`${at.api}/api/bars?symbol=AAPL&interval=1d&limit=500`)).json()) as {
      bars: { ts: string; close: number }[];
    };
    expect(bars.bars).toHaveLength(49);
    expect(bars.bars[0]!.ts.slice(0, 10)).toBe("2020-08-31");
  });
});
