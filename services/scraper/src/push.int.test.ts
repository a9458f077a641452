// The scraper CLI at the end of a run pushes its metrics to the Pushgateway of PUSHGATEWAY_URL (here a recorder:
// the Pushgateway is not part of the native stack), against the real Kafka and MinIO.
import { resolve } from "node:path";
import { runNodeScript, startPushRecorder, testConfig, uniqueName } from "@quant/core/testing";
import { describe, expect, it } from "vitest";

const MAIN = resolve(import.meta.dirname, "main.ts");

describe("scraper: metrics push", () => {
  it("pushes per-symbol outcomes, bars and lake objects once, under the job", { timeout: 120_000 }, async () => {
    const cfg = testConfig();
    const gateway = await startPushRecorder();
    try {
      const env = {
        ...process.env,
        KAFKA_BROKERS: cfg.KAFKA_BROKERS.join(","),
        S3_ENDPOINT: cfg.S3_ENDPOINT,
        S3_ACCESS_KEY: cfg.S3_ACCESS_KEY,
        S3_SECRET_KEY: cfg.S3_SECRET_KEY,
        S3_BUCKET: uniqueName("push").toLowerCase().replaceAll("_", "-"),
        PUSHGATEWAY_URL: gateway.url,
        LOG_LEVEL: "warn",
      };
      const args = ["equities-eod", "--source", "synthetic", "--symbols", "AAPL,MSFT"];
      args.push("--from", "2019-03-04", "--to", "2019-03-08", "--interval", "1d");
      const run = await runNodeScript(MAIN, args, env);
      expect(run.code, run.output).toBe(0);

      expect(gateway.pushes.map((p) => `${p.method} ${p.path}`)).toEqual([
        "PUT /metrics/job/scraper/instance/equities-eod",
      ]);
      const body = gateway.pushes[0]!.body;
      for (const symbol of ["AAPL", "MSFT"])
        expect(body).toContain(`quant_scrapes_total{symbol="${symbol}",outcome="success",service="scraper"} 1\n`);
      // Five trading days per symbol, one lake object per symbol and trading date.
      expect(body).toContain('quant_bars_produced_total{interval="1d",service="scraper"} 10\n');
      expect(body).toMatch(/quant_lake_objects_written_total\{interval="1d",service="scraper"\} [1-9]\d*\n/);
      expect(body).toMatch(/quant_job_duration_seconds\{service="scraper"\} \d/);
    } finally {
      await gateway.close();
    }
  });
});
