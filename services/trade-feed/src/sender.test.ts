import type { OutgoingMessage, ProducerHandle } from "@quant/core";
import { createLogger } from "@quant/core";
import { decodeTrade } from "@quant/trades";
import { describe, expect, it } from "vitest";
import { parseFeedArgs, type SyntheticRequest } from "./args.ts";
import { TradeSender } from "./sender.ts";
import { runSynthetic } from "./synthetic.ts";

/** An in-memory producer: records each request (this is a unit test; Kafka itself is in the integration tests). */
function recorder(delayMs = 1) {
  const requests: OutgoingMessage[][] = [];
  const producer: ProducerHandle = {
    async send(_topic, messages) {
      await new Promise((r) => setTimeout(r, delayMs));
      requests.push(messages);
    },
    async disconnect() {},
  };
  return { producer, requests };
}

describe("trade sender and synthetic source", () => {
  it("batches by size and by age, one request at a time, in order", async () => {
    const { producer, requests } = recorder(5);
    const s = new TradeSender(producer, "t", { lingerMs: 20, maxBatch: 100 });
    for (let i = 0; i < 250; i++) s.add("K", String(i));
    await s.backpressure();
    await s.flush();
    expect(requests.map((r) => r.length)).toEqual([100, 100, 50]);
    s.add("K", "250");
    await new Promise((r) => setTimeout(r, 60));
    expect(requests.length).toBe(4);
    expect(requests.flat().map((m) => m.value)).toEqual(Array.from({ length: 251 }, (_, i) => String(i)));
    expect(s.sent).toBe(251);
  });

  it("reports a failed send on the next add or flush", async () => {
    const producer: ProducerHandle = {
      send: () => Promise.reject(new Error("broker down")),
      disconnect: async () => {},
    };
    const s = new TradeSender(producer, "t", { lingerMs: 1, maxBatch: 10 });
    s.add("K", "x");
    await expect(s.flush()).rejects.toThrow(/broker down/);
    expect(() => s.add("K", "y")).toThrow(/broker down/);
  });

  it("sends every generated delivery, stamped on arrival, without pacing as fast as it goes", async () => {
    const { producer, requests } = recorder(0);
    const sender = new TradeSender(producer, "t", { lingerMs: 1, maxBatch: 500 });
    const req = parseFeedArgs([
      "synthetic",
      "--rate",
      "2000",
      "--duration",
      "5",
      "--pace",
      "none",
      "--chaos",
      "duplicate=0.01,corrupt=0.01",
      "--start",
      "2024-01-02T00:00:00Z",
    ]) as SyntheticRequest;
    const before = Date.now();
    const s = await runSynthetic(req, {
      sender,
      seed: 1,
      signal: new AbortController().signal,
      logger: createLogger("t", "silent"),
    });
    const msgs = requests.flat();
    expect(msgs.length).toBe(s.messages);
    expect(s.messages).toBe(s.counts.trades + s.counts.duplicate + s.counts.corrupt);
    let refused = 0;
    for (const m of msgs) {
      try {
        const t = decodeTrade(Buffer.from(String(m.value)), m.key ?? null);
        expect(t.ingestTs).toBeGreaterThanOrEqual(before);
        expect(t.ts).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 2));
      } catch {
        refused++;
      }
    }
    expect(refused).toBe(s.counts.corrupt);
    // 5 s of a 2,000/s mean rate, in bursts: fewer when no burst falls in the window.
    expect(s.counts.trades).toBeGreaterThan(4_000);
  });

  it("paces to the wall clock: event time follows now", async () => {
    const { producer, requests } = recorder(0);
    const sender = new TradeSender(producer, "t", { lingerMs: 1, maxBatch: 500 });
    const req = parseFeedArgs(["synthetic", "--rate", "500", "--duration", "0.6"]) as SyntheticRequest;
    const s = await runSynthetic(req, {
      sender,
      seed: 1,
      signal: new AbortController().signal,
      logger: createLogger("t", "silent"),
    });
    expect(s.ms).toBeGreaterThanOrEqual(400);
    for (const m of requests.flat()) {
      const t = decodeTrade(Buffer.from(String(m.value)), m.key ?? null);
      expect(t.ingestTs - t.ts).toBeGreaterThanOrEqual(0);
      expect(t.ingestTs - t.ts).toBeLessThan(200);
    }
  });
});
