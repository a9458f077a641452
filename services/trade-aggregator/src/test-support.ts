// Helpers of the integration tests (not part of the service): unique topics and database, producing generated
// deliveries as the trade feed would, reading a topic back, and waiting until the aggregator has saved its state at
// the end of every partition.
import {
  candleStateCollection,
  candlesCollection,
  type KafkaBus,
  type MongoHandle,
  type ProducerHandle,
} from "@quant/core";
import { createPipelineTestEnv, type PipelineTestEnv, testConfig, uniqueName, waitFor } from "@quant/core/testing";
import { type Emission, parseWidths } from "@quant/trades";
import type { AggregatorConfig } from "./config.ts";

export interface TradesTestEnv extends PipelineTestEnv {
  barTopic: string;
  config(overrides?: Partial<AggregatorConfig>): AggregatorConfig;
}

/** The pipeline test environment with a 6-partition trades topic, a bar topic and `extraTopics`. */
export async function createTradesEnv(name: string, extraTopics: readonly string[] = []): Promise<TradesTestEnv> {
  const cfg = testConfig();
  const barTopic = uniqueName(`${name}_bars`);
  const env = await createPipelineTestEnv(`${name}_trades`, 6, [barTopic, ...extraTopics]);
  return {
    ...env,
    barTopic,
    config: (overrides = {}) => ({
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: cfg.KAFKA_BROKERS,
      KAFKA_CLIENT_ID: "test",
      MONGODB_URI: cfg.MONGODB_URI,
      MONGODB_DB: env.dbName,
      TRADES_TOPIC: env.topic,
      TRADES_GROUP_ID: uniqueName(`${name}_group`),
      TRADES_DEAD_LETTER_TOPIC: env.deadLetterTopic,
      TRADES_BAR_TOPIC: barTopic,
      TRADES_WIDTHS: parseWidths("1s,10s,1m"),
      TRADES_ALLOWED_LATENESS_MS: 2_000,
      TRADES_MAX_FUTURE_MS: 60_000,
      TRADES_CHECKPOINT_INTERVAL_MS: 500,
      TRADES_FORMING: true,
      TRADES_FROM_BEGINNING: true,
      TRADES_MAX_BYTES_PER_PARTITION: 1_048_576,
      TRADES_PARTITIONS_CONCURRENCY: 6,
      TRADES_SESSION_TIMEOUT_MS: 10_000,
      TRADES_SHUTDOWN_TIMEOUT_MS: 20_000,
      ...overrides,
    }),
  };
}

/** The environment variables of a child aggregator with this configuration. */
export function aggregatorConfigEnv(c: AggregatorConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined) continue;
    if (k === "TRADES_WIDTHS") out[k] = (v as { label: string }[]).map((w) => w.label).join(",");
    else if (k === "KAFKA_BROKERS") out[k] = (v as string[]).join(",");
    else out[k] = String(v);
  }
  return out;
}

/** Sends generated deliveries as the feed does (key = symbol; trades stamped with ingestTs = their delivery time). */
export async function produceEmissions(
  producer: ProducerHandle,
  topic: string,
  emissions: readonly Emission[],
  perRequest = 2_000,
): Promise<void> {
  for (let i = 0; i < emissions.length; i += perRequest)
    await producer.send(
      topic,
      emissions
        .slice(i, i + perRequest)
        .map((e) =>
          e.kind === "trade"
            ? { key: e.trade.symbol, value: JSON.stringify({ ...e.trade, ingestTs: e.at }) }
            : { key: e.symbol, value: e.value },
        ),
    );
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** Every message of a topic up to its current end (a fresh group, from the beginning). */
export async function readTopic(bus: KafkaBus, topic: string): Promise<ReadMessage[]> {
  const ends = await bus.topicOffsets(topic);
  const expected = ends.reduce((n, p) => n + (p.high - p.low), 0);
  const out: ReadMessage[] = [];
  if (expected === 0) return out;
  const consumer = await bus.consumer({ groupId: uniqueName(`${topic}_reader`) });
  await consumer.subscribe([topic]);
  await consumer.runBatches(async (batch, control) => {
    for (const m of batch.messages) {
      out.push({
        partition: m.partition,
        offset: m.offset,
        key: m.key,
        value: m.value?.toString("utf8") ?? "",
        headers: m.headers,
      });
      control.resolveOffset(m.offset);
    }
  });
  try {
    await waitFor(`${expected} messages of ${topic}`, async () => out.length >= expected, 120_000);
  } finally {
    await consumer.stop();
    await consumer.disconnect();
  }
  return out;
}

/** True once the saved window state of every non-empty partition stands at the partition's end. */
export async function stateAtEnd(env: Pick<TradesTestEnv, "bus" | "mongo" | "topic">): Promise<boolean> {
  const ends = (await env.bus.topicOffsets(env.topic)).filter((p) => p.high > 0);
  const states = new Map(
    (await candleStateCollection(env.mongo.db).find({ topic: env.topic }).toArray()).map((d) => [d.partition, d]),
  );
  return ends.every((p) => Number(states.get(p.partition)?.nextOffset ?? -1) === p.high);
}

/** Every closed candle by _id, without processedTs (the only field a rewrite changes). */
export async function snapshotCandles(mongo: MongoHandle): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const d of await candlesCollection(mongo.db).find({}).toArray()) {
    const { processedTs: _, ...rest } = d;
    out.set(d._id, rest);
  }
  return out;
}
