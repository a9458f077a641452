// The batch and reconcile CLIs at the end of a run push their metrics to the Pushgateway of PUSHGATEWAY_URL (here a
// recorder: the Pushgateway is not part of the native stack), reading the real lake and the real MongoDB.
import { resolve } from "node:path";
import { barsCollection, connectMongo, type MongoHandle } from "@quant/core";
import {
  createTestBucket,
  runNodeScript,
  startPushRecorder,
  testConfig,
  testLogger,
  uniqueName,
} from "@quant/core/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLake } from "./test-support.ts";

const MAIN = resolve(import.meta.dirname, "main.ts");
const RECONCILE = resolve(import.meta.dirname, "reconcile-main.ts");

describe("batch and reconcile: metrics push", () => {
  const cfg = testConfig();
  const dbName = uniqueName("batch_push");
  const bars = new SyntheticMarket({ seed: 3 }).bars("AAPL", "equity", "1d", "2024-01-01", "2024-01-31");
  let mongo: MongoHandle;
  let gateway: Awaited<ReturnType<typeof startPushRecorder>>;
  let env: NodeJS.ProcessEnv;
  let bucket: Awaited<ReturnType<typeof createTestBucket>> | undefined;

  beforeAll(async () => {
    mongo = await connectMongo({ uri: cfg.MONGODB_URI, dbName }, testLogger);
    gateway = await startPushRecorder();
    bucket = await createTestBucket("batchpush");
    await writeLake(bucket.store, bars);
    env = {
      ...process.env,
      MONGODB_URI: cfg.MONGODB_URI,
      MONGODB_DB: dbName,
      S3_ENDPOINT: cfg.S3_ENDPOINT,
      S3_ACCESS_KEY: cfg.S3_ACCESS_KEY,
      S3_SECRET_KEY: cfg.S3_SECRET_KEY,
      S3_BUCKET: bucket.bucket,
      PUSHGATEWAY_URL: gateway.url,
      LOG_LEVEL: "warn",
    };
  });

  afterAll(async () => {
    await gateway?.close();
    await mongo?.db.dropDatabase().catch(() => {});
    await mongo?.close();
    await bucket?.remove().catch(() => {});
  });

  it("batch pushes bars read and written, write durations and the run's duration once, under the asset classes", async () => {
    const args = ["--from", "2024-01-01", "--to", "2024-01-31", "--asset-type", "equities", "--symbols", "AAPL"];
    const run = await runNodeScript(MAIN, args, env);
    expect(run.code, run.output).toBe(0);

    expect(gateway.pushes.map((p) => `${p.method} ${p.path}`)).toEqual(["PUT /metrics/job/batch/instance/equity"]);
    const body = gateway.pushes[0]!.body;
    expect(bars.length).toBeGreaterThan(15);
    expect(body).toContain(`quant_bars_read_total{service="batch-processor"} ${bars.length}\n`);
    expect(body).toContain(`quant_bars_written_total{service="batch-processor"} ${bars.length}\n`);
    expect(body).toMatch(/quant_write_duration_seconds_count\{[^}]*collection="bars_daily"[^}]*\} [1-9]/);
    expect(body).toMatch(/quant_job_duration_seconds\{service="batch-processor"\} \d/);
  }, 120_000);

  it("reconcile pushes its differences per series over the previous trading day: 0, then 1 after a change", async () => {
    // Thursday 2024-02-01: the equities' previous trading day is Wednesday 2024-01-31.
    const args = ["--trading-day-before", "2024-02-01", "--asset-type", "equities", "--symbols", "AAPL"];
    gateway.pushes.length = 0;
    const clean = await runNodeScript(RECONCILE, args, env);
    expect(clean.code, clean.output).toBe(0);
    expect(gateway.pushes.map((p) => `${p.method} ${p.path}`)).toEqual(["PUT /metrics/job/reconcile/instance/equity"]);
    expect(gateway.pushes[0]!.body).toContain(
      'quant_reconcile_differences{symbol="AAPL",interval="1d",service="reconcile"} 0\n',
    );
    expect(gateway.pushes[0]!.body).toMatch(/quant_reconcile_documents_compared\{service="reconcile"\} [1-9]/);

    const last = bars.at(-1)!;
    await barsCollection(mongo.db, "1d").updateOne({ _id: last.id }, { $set: { close: last.close + 1 } });
    const drift = await runNodeScript(RECONCILE, args, env);
    expect(drift.code, drift.output).toBe(1);
    expect(drift.output).toContain(`${last.id}  close`);
    expect(gateway.pushes[1]!.body).toContain(
      'quant_reconcile_differences{symbol="AAPL",interval="1d",service="reconcile"} 1\n',
    );
  }, 120_000);
});
