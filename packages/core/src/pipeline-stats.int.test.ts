import { describe, expect, it } from "vitest";
import { createKafkaBus } from "./clients/kafka.ts";
import { createKafkaStats } from "./pipeline-stats.ts";
import { testConfig, testLogger, uniqueName } from "./testing.ts";
import { TOPICS } from "./topics.ts";

describe("pipeline stats against the native broker", () => {
  const cfg = testConfig();

  it("reads watermarks, throughput and a group's lag without joining it", async () => {
    const group = uniqueName("stats_group");
    const stats = createKafkaStats({ brokers: cfg.KAFKA_BROKERS, clientId: "core-it", group }, testLogger);
    const bus = createKafkaBus({ brokers: cfg.KAFKA_BROKERS, clientId: "core-it-stats" }, testLogger);
    try {
      const before = await stats.read();
      expect(before.ok).toBe(true);
      expect(before.topics.map((t) => t.topic)).toEqual([
        TOPICS.crypto,
        TOPICS.equities,
        TOPICS.bonds,
        TOPICS.deadLetter,
      ]);
      // A group that never committed has no lag to report.
      expect(before.topics.every((t) => t.lag === null)).toBe(true);
      const beforeHigh = before.topics.find((t) => t.topic === TOPICS.bonds)!.high;

      await bus.connect();
      const producer = await bus.producer();
      await producer.send(
        TOPICS.bonds,
        [1, 2, 3].map((i) => ({ key: `stats-${i}`, value: "{}" })),
      );
      await producer.disconnect();

      const after = await stats.read();
      const bonds = after.topics.find((t) => t.topic === TOPICS.bonds)!;
      expect(bonds.high - beforeHigh).toBeGreaterThanOrEqual(3);
      expect(bonds.perSecond).not.toBeNull();
    } finally {
      await stats.close();
      await bus.close();
    }
  });

  it("answers ok: false, quickly, when no broker listens", async () => {
    const stats = createKafkaStats({ brokers: ["127.0.0.1:1"], clientId: "core-it", group: "g" }, testLogger);
    const t0 = Date.now();
    const r = await stats.read();
    await stats.close();
    expect(r.ok).toBe(false);
    expect(r.error).toBeTruthy();
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
