// The batch CLI at the end of a run pushes its metrics to the Pushgateway of PUSHGATEWAY_URL (here a recorder: the
// Pushgateway is not part of the native stack), reading the real lake and writing the real MongoDB.
import { resolve } from "node:path";
import { connectMongo } from "@quant/core";
import {
  createTestBucket,
  runNodeScript,
  startPushRecorder,
  testConfig,
  testLogger,
  uniqueName,
} from "@quant/core/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { describe, expect, it } from "vitest";
import { writeLake } from "./test-support.ts";

const MAIN = resolve(import.meta.dirname, "main.ts");

describe("batch: metrics push", () => {
  it("pushes bars read and written, write durations and the run's duration once, under the asset classes", async () => {
    const cfg = testConfig();
    const { store, bucket, remove } = await createTestBucket("batchpush");
    const dbName = uniqueName("batch_push");
    const mongo = await connectMongo({ uri: cfg.MONGODB_URI, dbName }, testLogger);
    const gateway = await startPushRecorder();
    try {
      const bars = new SyntheticMarket({ seed: 3 }).bars("AAPL", "equity", "1d", "2024-01-01", "2024-01-31");
      await writeLake(store, bars);
      const env = {
        ...process.env,
        MONGODB_URI: cfg.MONGODB_URI,
        MONGODB_DB: dbName,
        S3_ENDPOINT: cfg.S3_ENDPOINT,
        S3_ACCESS_KEY: cfg.S3_ACCESS_KEY,
        S3_SECRET_KEY: cfg.S3_SECRET_KEY,
        S3_BUCKET: bucket,
        PUSHGATEWAY_URL: gateway.url,
        LOG_LEVEL: "warn",
      };
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
    } finally {
      await gateway.close();
      await mongo.db.dropDatabase().catch(() => {});
      await mongo.close();
      await remove().catch(() => {});
    }
  }, 120_000);
});
