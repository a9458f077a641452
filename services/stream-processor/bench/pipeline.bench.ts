#!/usr/bin/env node
// pnpm bench:pipeline [--bars N] [--symbols S] [--json FILE]
// N synthetic 1m crypto bars over S symbols into Kafka, the stream processor (in-process) until every document is
// written: end-to-end throughput and produce->write latency (p50/p99), beside raw limits measured in the same run:
// kafkajs consume-only throughput and MongoDB bulk-upsert-only throughput. Servers: the environment (KAFKA_BROKERS,
// MONGODB_URI), or .stack/stack.env of `pnpm stack up` when MONGODB_URI is unset.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  type Bar,
  barsCollection,
  connectMongo,
  createKafkaBus,
  createLogger,
  kafkaEnv,
  loadConfigOrExit,
  mongoEnv,
  toBarDocument,
  upsertBars,
} from "@quant/core";
import { BarIndicators } from "@quant/indicators";
import { SyntheticMarket } from "@quant/synthetic";
import { startStreamProcessor } from "../src/run.ts";

const stackEnv = resolve(import.meta.dirname, "../../../.stack/stack.env");
if (!process.env.MONGODB_URI && existsSync(stackEnv)) {
  for (const line of readFileSync(stackEnv, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && process.env[m[1]!] === undefined) process.env[m[1]!] = m[2];
  }
}
const { values } = parseArgs({
  options: { bars: { type: "string" }, symbols: { type: "string" }, json: { type: "string" } },
});
const N = Number(values.bars ?? 20_000);
const S = Number(values.symbols ?? 10);
const config = loadConfigOrExit({ ...kafkaEnv, ...mongoEnv });
const logger = createLogger("bench", "warn");
const tag = `bench_${Date.now().toString(36)}`;
const topic = `${tag}_bars`;
const dbName = `${tag}_db`;

const symbols = Array.from({ length: S }, (_, i) => `SYM${i}-USD`);
const perSymbol = Math.ceil(N / S);
const market = new SyntheticMarket({ seed: 1, gapRate: 0 });
const series = market.series({ symbols, assetClass: "crypto", interval: "1m", count: perSymbol, from: "2024-01-01" });
const bars: Bar[] = [];
for (let i = 0; i < perSymbol; i++) for (const s of symbols) bars.push(series.get(s)![i]!);
bars.length = N;
const messages = bars.map((b) => ({ key: b.symbol, value: JSON.stringify(b) }));

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: tag }, logger);
await bus.connect();
await bus.ensureTopics([
  { topic, partitions: 6 },
  { topic: `${tag}_dlq`, partitions: 1 },
]);
const producer = await bus.producer({ idempotent: true });
const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName }, logger);
const health = await mongo.health();

try {
  // 1. End-to-end: the processor runs while the bars are produced at full speed.
  const latencies: number[] = [];
  let consumed = 0;
  const app = await startStreamProcessor(
    {
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: config.KAFKA_BROKERS,
      KAFKA_CLIENT_ID: tag,
      MONGODB_URI: config.MONGODB_URI,
      MONGODB_DB: dbName,
      STREAM_GROUP_ID: `${tag}_stream`,
      STREAM_TOPICS: [topic],
      STREAM_DEAD_LETTER_TOPIC: `${tag}_dlq`,
      STREAM_FROM_BEGINNING: true,
      STREAM_MAX_BYTES_PER_PARTITION: 1_048_576,
      STREAM_SESSION_TIMEOUT_MS: 30_000,
      STREAM_REBALANCE_TIMEOUT_MS: 30_000,
      STREAM_BULK_OPS_PER_COMMAND: health.ferretdb ? 32 : 1_000,
      STREAM_SHUTDOWN_TIMEOUT_MS: 30_000,
      METRICS_PORT: 0,
    },
    logger,
    {
      collectLatencies: true,
      onBatch: (s) => {
        consumed += s.messages;
        latencies.push(...(s.produceLagSamples ?? []));
      },
    },
  );
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i += 500) await producer.send(topic, messages.slice(i, i + 500));
  const produceMs = performance.now() - t0;
  while (consumed < N) await new Promise((r) => setTimeout(r, 50));
  const e2eMs = performance.now() - t0;
  await app.stop();
  const written = await barsCollection(mongo.db, "1m").countDocuments();

  // 2. Raw limit: kafkajs consume-only (resolve offsets, nothing else) over the same topic.
  const consumer = await bus.consumer({ groupId: `${tag}_raw` });
  await consumer.subscribe([topic]);
  let raw = 0;
  let rawStart = 0;
  await consumer.runBatches(async (batch, control) => {
    if (rawStart === 0) rawStart = performance.now();
    raw += batch.messages.length;
    control.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
  });
  while (raw < N) await new Promise((r) => setTimeout(r, 20));
  const consumeMs = performance.now() - rawStart;
  await consumer.stop();
  await consumer.disconnect();

  // 3. Raw limit: MongoDB bulk upserts only (documents prebuilt), into a fresh collection.
  const set = new Map<string, BarIndicators>();
  const docs = bars.map((b) => {
    let ind = set.get(b.symbol);
    if (!ind) set.set(b.symbol, (ind = new BarIndicators()));
    return toBarDocument(b, ind.update({ ...b, ts: Date.parse(b.ts) }), ind.warm, new Date());
  });
  const scratch = mongo.db.collection<(typeof docs)[number]>("upsert_only");
  const u0 = performance.now();
  for (let i = 0; i < docs.length; i += 1_000)
    await upsertBars(scratch, docs.slice(i, i + 1_000), {
      insertFirst: health.ferretdb,
      opsPerCommand: health.ferretdb ? 32 : 1_000,
    });
  const upsertMs = performance.now() - u0;
  const r0 = performance.now();
  for (let i = 0; i < docs.length; i += 1_000)
    await upsertBars(scratch, docs.slice(i, i + 1_000), { opsPerCommand: health.ferretdb ? 32 : 1_000 });
  const rewriteMs = performance.now() - r0;

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    servers: {
      kafka: config.KAFKA_BROKERS.join(","),
      mongo: health.ferretdb ? `FerretDB (${health.version})` : `MongoDB ${health.version}`,
    },
    bars: N,
    symbols: S,
    endToEnd: {
      barsPerSecond: rate(N, e2eMs),
      seconds: Number((e2eMs / 1000).toFixed(2)),
      written,
      produceToWriteMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: pct(latencies, 100) },
      produceBarsPerSecond: rate(N, produceMs),
    },
    rawLimits: {
      kafkaConsumeOnlyPerSecond: rate(N, consumeMs),
      mongoUpsertNewPerSecond: rate(N, upsertMs),
      mongoUpsertExistingPerSecond: rate(N, rewriteMs),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await mongo.db.dropDatabase().catch(() => {});
  await mongo.close();
  await bus.close();
}
process.exit(0);
