// What a pipeline run left behind: bars in Kafka (read through a fresh consumer group) and objects in
// the lake, both restricted to what was written after a given instant. Used by the Airflow tests.
import { randomBytes } from "node:crypto";
import {
  BAR_TOPICS,
  createKafkaBus,
  createLogger,
  createObjectStore,
  kafkaEnv,
  LAKE_RAW_PREFIX,
  loadConfig,
  s3ConfigFromEnv,
  s3Env,
} from "@quant/core";

const logger = createLogger("airflow-verify", process.env.QUANT_TEST_LOG_LEVEL ?? "warn");

export interface SeenBar {
  topic: string;
  id: string;
  symbol: string;
  interval: string;
  source: string;
  /** Kafka message timestamp, epoch ms. */
  timestamp: number;
}

/**
 * Reads the bar topics from the beginning through a new consumer group and returns the bars whose message
 * timestamp is at or after `sinceMs`. Stops once `done(bars)` is true or after `timeoutMs` of reading.
 */
export async function barsInKafka(opts: {
  sinceMs: number;
  done: (bars: SeenBar[]) => boolean;
  timeoutMs?: number;
  topics?: readonly string[];
}): Promise<SeenBar[]> {
  const cfg = loadConfig(kafkaEnv);
  const bus = createKafkaBus({ brokers: cfg.KAFKA_BROKERS, clientId: "airflow-verify" }, logger);
  const bars: SeenBar[] = [];
  const consumer = await bus.consumer({ groupId: `airflow_verify_${Date.now()}_${randomBytes(3).toString("hex")}` });
  try {
    await consumer.subscribe(opts.topics ?? BAR_TOPICS, { fromBeginning: true });
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const timer = setTimeout(finish, opts.timeoutMs ?? 30_000);
    void consumer.runBatches(async (batch, control) => {
      for (const m of batch.messages) {
        if (m.timestamp >= opts.sinceMs && m.value) {
          try {
            const bar = JSON.parse(m.value.toString("utf8")) as Record<string, unknown>;
            bars.push({
              topic: batch.topic,
              id: String(bar.id),
              symbol: String(bar.symbol),
              interval: String(bar.interval),
              source: String(bar.source),
              timestamp: m.timestamp,
            });
          } catch {
            /* not a bar; the dead-letter path is not under test here */
          }
        }
        control.resolveOffset(m.offset);
      }
      await control.commit();
      if (opts.done(bars)) finish();
    });
    await finished;
    clearTimeout(timer);
  } finally {
    await consumer.stop();
    await consumer.disconnect();
    await bus.close();
  }
  return bars;
}

/** Keys under raw/ (optionally a narrower prefix) last modified at or after `sinceMs`. */
export async function rawObjectsSince(sinceMs: number, prefix = `${LAKE_RAW_PREFIX}/`): Promise<string[]> {
  const c = loadConfig(s3Env);
  const store = createObjectStore(s3ConfigFromEnv(c), logger);
  const keys: string[] = [];
  for await (const item of store.client.listObjectsV2(store.bucket, prefix, true)) {
    // Object times have whole-second precision.
    if (item.name && item.lastModified && item.lastModified.getTime() >= Math.floor(sinceMs / 1000) * 1000) {
      keys.push(item.name);
    }
  }
  await store.close();
  return keys.sort();
}
