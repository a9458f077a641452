import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "./logger.ts";
import {
  createMetricsRegistry,
  exposedMetricNames,
  type MetricsServer,
  PIPELINE_METRICS,
  pushJobMetrics,
  pushMetrics,
  startMetricsServer,
  timed,
} from "./metrics.ts";
import { startPushRecorder } from "./testing.ts";

describe("metrics", () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("registers every shared metric on a fresh registry with the service label", async () => {
    const m = createMetricsRegistry({ service: "test", processMetrics: false });
    m.messagesIn.inc({ topic: "bars.1d" }, 3);
    m.deadLetters.inc({ topic: "bars.1d", reason: "schema" });
    m.consumerLag.set({ group: "g", topic: "bars.1d", partition: "0" }, 7);
    m.scrapes.inc({ symbol: "AAPL", outcome: "failure" });
    await timed(m.writeSeconds, { collection: "bars_daily" }, async () => 1);
    const text = await m.registry.metrics();
    for (const def of Object.values(PIPELINE_METRICS)) expect(text).toContain(`# HELP ${def.name} `);
    expect(text).toContain('quant_messages_in_total{topic="bars.1d",service="test"} 3');
    expect(text).toContain('quant_consumer_lag_messages{group="g",topic="bars.1d",partition="0",service="test"} 7');
    expect(text).toMatch(/quant_write_duration_seconds_count\{[^}]*collection="bars_daily"[^}]*\} 1\n/);
    // Two registries never share state.
    const other = createMetricsRegistry({ service: "other", processMetrics: false });
    expect(await other.registry.metrics()).not.toContain('topic="bars.1d"');
  });

  it("serves /metrics, and /healthz as a readiness probe (503 until ready)", async () => {
    const m = createMetricsRegistry({ service: "test" });
    m.messagesOut.inc({ topic: "t" });
    server = await startMetricsServer(0, m.registry, "127.0.0.1");
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const body = await res.text();
    expect(body).toContain('quant_messages_out_total{topic="t",service="test"} 1');
    expect(body).toContain("quant_process_cpu_seconds_total");
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect([health.status, await health.text()]).toEqual([503, "starting\n"]);
    server.setReady();
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
  });

  it("pushes a job's metrics to a Pushgateway with PUT", async () => {
    const gateway = await startPushRecorder();
    try {
      const m = createMetricsRegistry({ service: "scraper", processMetrics: false });
      m.scrapes.inc({ symbol: "AAPL", outcome: "success" });
      await pushMetrics(gateway.url, "scraper", m.registry, { instance: "equities-eod" });
      expect(gateway.pushes).toHaveLength(1);
      expect(gateway.pushes[0]?.method).toBe("PUT");
      expect(gateway.pushes[0]?.path).toBe("/metrics/job/scraper/instance/equities-eod");
      expect(gateway.pushes[0]?.body).toContain(
        'quant_scrapes_total{symbol="AAPL",outcome="success",service="scraper"} 1',
      );
    } finally {
      await gateway.close();
    }
  });

  it("pushes a job's metrics only with a URL, and survives a gateway that is down", async () => {
    const m = createMetricsRegistry({ service: "batch-processor", processMetrics: false });
    const warnings: string[] = [];
    const logger = { debug: () => {}, warn: (_: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
    await pushJobMetrics(undefined, "batch", m.registry, logger);
    const gateway = await startPushRecorder();
    await gateway.close();
    await pushJobMetrics(gateway.url, "batch", m.registry, logger);
    expect(warnings).toEqual(["metrics push failed"]);
  });

  it("lists every exposed name, histogram series and process metrics included", async () => {
    const names = await exposedMetricNames();
    for (const def of Object.values(PIPELINE_METRICS)) expect(names).toContain(def.name);
    expect(names).toContain("quant_produce_to_write_seconds_bucket");
    expect(names).toContain("quant_process_cpu_seconds_total");
    expect(names).not.toContain("quant_scrapes_total_bucket");
  });
});
