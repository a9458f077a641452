import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMetricsRegistry,
  type MetricsServer,
  PIPELINE_METRICS,
  pushMetrics,
  startMetricsServer,
  timed,
} from "./metrics.ts";

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

  it("serves /metrics and /healthz over HTTP", async () => {
    const m = createMetricsRegistry({ service: "test" });
    m.messagesOut.inc({ topic: "t" });
    server = await startMetricsServer(0, m.registry, "127.0.0.1");
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const body = await res.text();
    expect(body).toContain('quant_messages_out_total{topic="t",service="test"} 1');
    expect(body).toContain("quant_process_cpu_seconds_total");
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
  });

  it("pushes a job's metrics to a Pushgateway with PUT", async () => {
    const seen: { method?: string; url?: string; body: string } = { body: "" };
    const gateway = createServer((req, res) => {
      seen.method = req.method;
      seen.url = req.url;
      req.on("data", (c: Buffer) => (seen.body += c.toString()));
      req.on("end", () => {
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", () => r()));
    const port = (gateway.address() as { port: number }).port;
    try {
      const m = createMetricsRegistry({ service: "scraper", processMetrics: false });
      m.scrapes.inc({ symbol: "AAPL", outcome: "success" });
      await pushMetrics(`http://127.0.0.1:${port}`, "scraper", m.registry, { instance: "equities-eod" });
      expect(seen.method).toBe("PUT");
      expect(seen.url).toBe("/metrics/job/scraper/instance/equities-eod");
      expect(seen.body).toContain('quant_scrapes_total{symbol="AAPL",outcome="success",service="scraper"} 1');
    } finally {
      gateway.close();
    }
  });
});
