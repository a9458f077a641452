// Helpers of the stream processor's integration tests (not part of the service): the pipeline test environment of
// @quant/core/testing plus a stream configuration on it, and the dead-letter reader.
import { createPipelineTestEnv, type PipelineTestEnv, testConfig, uniqueName, waitFor } from "@quant/core/testing";
import { afterAll, beforeAll } from "vitest";
import type { StreamConfig } from "./config.ts";

export interface TestEnv extends PipelineTestEnv {
  config(overrides?: Partial<StreamConfig>): StreamConfig;
}

export async function createTestEnv(name: string, partitions = 3): Promise<TestEnv> {
  const cfg = testConfig();
  const env = await createPipelineTestEnv(name, partitions);
  return {
    ...env,
    config: (overrides = {}) => ({
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: cfg.KAFKA_BROKERS,
      KAFKA_CLIENT_ID: "test",
      MONGODB_URI: cfg.MONGODB_URI,
      MONGODB_DB: env.dbName,
      STREAM_GROUP_ID: uniqueName(`${name}_group`),
      STREAM_TOPICS: [env.topic],
      STREAM_DEAD_LETTER_TOPIC: env.deadLetterTopic,
      STREAM_FROM_BEGINNING: true,
      STREAM_MAX_BYTES_PER_PARTITION: 1_048_576,
      STREAM_SESSION_TIMEOUT_MS: 10_000,
      STREAM_REBALANCE_TIMEOUT_MS: 10_000,
      STREAM_SHUTDOWN_TIMEOUT_MS: 20_000,
      STREAM_BULK_OPS_PER_COMMAND: 32,
      // Any free port: several processors run side by side in the tests.
      METRICS_PORT: 0,
      // Every partition of a 3-partition test topic at once: the tests go through the merged writes.
      STREAM_PARTITIONS_CONCURRENCY: 3,
      // A checkpoint after every batch: the tests place crashes between a batch's steps (the kill test overrides).
      STREAM_CHECKPOINT_INTERVAL_MS: 0,
      ...overrides,
    }),
  };
}

/**
 * The test environment of a describe block: created before its tests, closed after them. Returns a stand-in that
 * forwards to it (so the block can name it at once, outside the hooks).
 */
export function useTestEnv(name: string, partitions = 3): TestEnv {
  let current: TestEnv | undefined;
  beforeAll(async () => {
    current = await createTestEnv(name, partitions);
  });
  afterAll(async () => current?.close());
  return new Proxy({} as TestEnv, {
    get(_, key) {
      if (!current) throw new Error(`test environment ${name} used outside its tests`);
      const v = Reflect.get(current, key);
      return typeof v === "function" ? v.bind(current) : v;
    },
  });
}

/** The environment variables of a child stream processor with this configuration. */
export function configEnv(c: StreamConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(c).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]),
  ) as Record<string, string>;
}

/** The first `count` messages of the dead-letter topic: headers, plus the payload as `value` (UTF-8). */
export async function readDeadLetters(env: PipelineTestEnv, count: number): Promise<Record<string, string>[]> {
  const dead: Record<string, string>[] = [];
  const consumer = await env.bus.consumer({ groupId: `${env.dbName}_dlq_reader` });
  await consumer.subscribe([env.deadLetterTopic]);
  await consumer.runBatches(async (batch, control) => {
    for (const m of batch.messages) {
      dead.push({ ...m.headers, value: m.value?.toString("utf8") ?? "" });
      control.resolveOffset(m.offset);
    }
  });
  try {
    await waitFor("dead letters read", async () => dead.length >= count);
  } finally {
    await consumer.stop();
    await consumer.disconnect();
  }
  return dead;
}
