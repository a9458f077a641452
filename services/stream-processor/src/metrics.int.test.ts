// The stream processor's /metrics against the native servers: counters match what was consumed and written, one
// malformed message shows as one dead letter, and the lag gauge is there per partition.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { countBars, produceBars, testLogger, waitFor } from "@quant/core/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { describe, expect, it } from "vitest";
import { startStreamProcessor } from "./run.ts";
import { useTestEnv } from "./test-support.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (enough of the format for prom-client's output). */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const matching = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  matching(samples, name, labels).reduce((n, s) => n + s.value, 0);

describe("stream processor: /metrics", () => {
  const env = useTestEnv("stream_metrics", 2);

  it("counts consumed messages, written bars, a duplicate and a dead letter, and exposes the lag", async () => {
    const market = new SyntheticMarket({ seed: 5 });
    const bars = ["AAPL", "MSFT"].flatMap((s) => market.bars(s, "equity", "1d", "2024-01-01", "2024-03-31"));
    const again = bars[0]!;
    await produceBars(env.producer, env.topic, [...bars, again]);
    await env.producer.send(env.topic, [{ key: "AAPL", value: "{not json" }]);
    const messages = bars.length + 2;

    const cfg = env.config();
    const app = await startStreamProcessor(cfg, testLogger);
    const url = `http://127.0.0.1:${app.metricsPort}/metrics`;
    let samples: Sample[] = [];
    try {
      await waitFor("bars written", async () => (await countBars(env.mongo)) === bars.length);
      await waitFor("every message counted", async () => {
        samples = parseExposition(await (await fetch(url)).text());
        return total(samples, "quant_messages_in_total", { topic: env.topic }) === messages;
      });
    } finally {
      await app.stop();
    }

    expect(total(samples, "quant_bars_processed_total", { topic: env.topic, outcome: "written" })).toBe(bars.length);
    expect(total(samples, "quant_bars_processed_total", { topic: env.topic, outcome: "duplicate" })).toBe(1);
    expect(total(samples, "quant_bars_processed_total", { outcome: "late" })).toBe(0);
    expect(matching(samples, "quant_dead_letters_total")).toEqual([
      {
        name: "quant_dead_letters_total",
        labels: { topic: env.topic, reason: "json", service: "stream-processor" },
        value: 1,
      },
    ]);
    expect(total(samples, "quant_messages_out_total", { topic: env.deadLetterTopic })).toBe(1);
    expect(total(samples, "quant_produce_to_write_seconds_count", { topic: env.topic })).toBe(messages);
    expect(total(samples, "quant_processing_duration_seconds_count", { topic: env.topic })).toBeGreaterThan(0);
    expect(total(samples, "quant_write_duration_seconds_count", { collection: "bars_daily" })).toBeGreaterThan(0);
    expect(total(samples, "quant_write_duration_seconds_count", { collection: "indicator_state" })).toBeGreaterThan(0);
    // Both partitions got messages and were consumed to their end.
    const lag = matching(samples, "quant_consumer_lag_messages", { group: cfg.STREAM_GROUP_ID, topic: env.topic });
    expect(lag.map((s) => s.labels.partition).sort()).toEqual(["0", "1"]);
    expect(lag.map((s) => s.value)).toEqual([0, 0]);
    // The server closes with the processor.
    await expect(fetch(url)).rejects.toThrow();
  }, 120_000);

  it("refuses to start, naming METRICS_PORT, when the port is taken", async () => {
    const held = createServer();
    await new Promise<void>((r) => held.listen(0, "0.0.0.0", () => r()));
    const port = (held.address() as AddressInfo).port;
    try {
      await expect(startStreamProcessor(env.config({ METRICS_PORT: port }), testLogger)).rejects.toThrow(
        `/metrics on METRICS_PORT ${port}: listen EADDRINUSE`,
      );
    } finally {
      held.close();
    }
  });
});
