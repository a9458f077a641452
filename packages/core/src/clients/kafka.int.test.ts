import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig, testLogger, uniqueName } from "../testing.ts";
import { createKafkaBus, type IncomingMessage, type KafkaBus } from "./kafka.ts";

describe("Kafka client against the native broker", () => {
  const cfg = testConfig();
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = createKafkaBus({ brokers: cfg.KAFKA_BROKERS, clientId: "core-int-test" }, testLogger);
    await bus.connect();
  });
  afterAll(async () => {
    await bus.close();
  });

  it("reports a healthy cluster", async () => {
    const h = await bus.health();
    expect(h.ok).toBe(true);
    expect(h.brokers).toBe(1);
  });

  it("produces keyed messages and consumes them through a consumer group, in order per key", async () => {
    const topic = uniqueName("core_it");
    await bus.ensureTopics([{ topic, partitions: 3 }]);
    await bus.ensureTopics([{ topic, partitions: 3 }]); // idempotent

    const producer = await bus.producer({ idempotent: true });
    const sent = Array.from({ length: 60 }, (_, i) => ({
      key: ["AAPL", "MSFT", "BTC-USD"][i % 3]!,
      value: JSON.stringify({ seq: i }),
      headers: { "x-test": "yes" },
    }));
    await producer.send(topic, sent);

    const consumer = await bus.consumer({ groupId: uniqueName("core_it_group") });
    await consumer.subscribe([topic], { fromBeginning: true });
    const received: IncomingMessage[] = [];
    const done = new Promise<void>((resolve) => {
      void consumer.runBatches(async (batch, control) => {
        for (const m of batch.messages) {
          received.push(m);
          control.resolveOffset(m.offset);
        }
        await control.commit();
        if (received.length >= sent.length) resolve();
      });
    });
    await done;
    await consumer.stop();
    await consumer.disconnect();
    await producer.disconnect();

    expect(received).toHaveLength(60);
    expect(received.every((m) => m.headers["x-test"] === "yes")).toBe(true);
    // Same key, same partition, in send order.
    for (const key of ["AAPL", "MSFT", "BTC-USD"]) {
      const forKey = received.filter((m) => m.key === key);
      expect(new Set(forKey.map((m) => m.partition)).size).toBe(1);
      const seqs = forKey.map((m) => (JSON.parse(m.value!.toString()) as { seq: number }).seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(20);
    }
  });
});
