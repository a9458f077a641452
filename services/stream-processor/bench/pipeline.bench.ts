#!/usr/bin/env node
// pnpm bench:pipeline [--bars N] [--symbols S] [--rate R] [--seconds T] [--json FILE]
// (defaults: 20,000 bars, 10 symbols, 1,000 bars/s for 20 s; --rate 0 skips the paced phase)
// Synthetic 1m crypto bars over S symbols into a fresh 6-partition topic, the stream processor in-process:
//   1. full speed: N bars produced as fast as Kafka takes them; end-to-end throughput (first produce -> last
//      document written) in bars/s and documents/s (1m bars plus the 5m/1h/1d rollups they close), produce->write
//      latency of the backlog, and the processor's per-step time (BatchStats.stepsMs) summed over the batches;
//   2. paced: R bars/s for T s (the bars after the first N), sent every ~10 ms while the processor runs;
//      produce->write p50/p95/p99/max of that phase;
//   3. raw limits on the same servers: kafkajs consume-only (resolve offsets, nothing else) over the phase-1
//      messages, and MongoDB inserts of the very documents phase 1 wrote (same collections' shape, same slices of
//      WRITE_SLICE, same upsert options), so that end-to-end / slower raw limit compares like with like.
// A short table goes to stdout; the full result to FILE (or stdout without --json). Servers: the environment
// (KAFKA_BROKERS, MONGODB_URI; `pnpm bench:pipeline` fills them from .env and the native stack). The stream
// processor reads the other STREAM_* variables from the environment (e.g. STREAM_PARTITIONS_CONCURRENCY).
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import {
  type Bar,
  type BarDocument,
  barsCollection,
  checkpointsCollection,
  connectMongo,
  createKafkaBus,
  createLogger,
  ensureIndexes,
  loadConfigOrExit,
  rollupCollection,
  upsertBars,
} from "@quant/core";
import { SyntheticMarket } from "@quant/synthetic";
import { streamEnv } from "../src/config.ts";
import type { BatchStats, BatchStepsMs } from "../src/processor.ts";
import { WRITE_SLICE } from "../src/processor.ts";
import { startStreamProcessor } from "../src/run.ts";
import { dueMessages, latencySummary } from "./paced.ts";

const { values } = parseArgs({
  options: {
    bars: { type: "string" },
    symbols: { type: "string" },
    rate: { type: "string" },
    seconds: { type: "string" },
    json: { type: "string" },
  },
});
const N = Number(values.bars ?? 20_000);
const S = Number(values.symbols ?? 10);
const RATE = Number(values.rate ?? 1_000);
const SECONDS = Number(values.seconds ?? 20);
const P = Math.round(RATE * SECONDS);
/** The paced producer sends what is due every TICK_MS. */
const TICK_MS = 10;
const tag = `bench_${Date.now().toString(36)}`;
const topic = `${tag}_bars`;
const config = loadConfigOrExit(streamEnv, {
  ...process.env,
  LOG_LEVEL: "warn",
  KAFKA_CLIENT_ID: tag,
  MONGODB_DB: `${tag}_db`,
  STREAM_GROUP_ID: `${tag}_stream`,
  // Any free port: a stream processor of `pnpm start` may hold the default one.
  METRICS_PORT: "0",
  STREAM_TOPICS: topic,
  STREAM_DEAD_LETTER_TOPIC: `${tag}_dlq`,
  STREAM_FROM_BEGINNING: "true",
});
const logger = createLogger("bench", "warn");

const symbols = Array.from({ length: S }, (_, i) => `SYM${i}-USD`);
const perSymbol = Math.ceil((N + P) / S);
const market = new SyntheticMarket({ seed: 1, gapRate: 0 });
const series = market.series({ symbols, assetClass: "crypto", interval: "1m", count: perSymbol, from: "2024-01-01" });
const bars: Bar[] = [];
for (let i = 0; i < perSymbol; i++) for (const s of symbols) bars.push(series.get(s)![i]!);
const messages = bars.slice(0, N + P).map((b) => ({ key: b.symbol, value: JSON.stringify(b) }));
const fullSpeed = messages.slice(0, N);
const paced = messages.slice(N);

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

/** What the processor reported for one phase. */
class PhaseStats {
  latencies: number[] = [];
  batches = 0;
  messages = 0;
  rollups = 0;
  checkpoints = 0;
  stepsMs: BatchStepsMs = { decode: 0, compute: 0, deadLetters: 0, bars: 0, checkpoints: 0, commit: 0 };
  add(s: BatchStats): void {
    this.latencies.push(...(s.produceLagSamples ?? []));
    this.batches++;
    this.messages += s.messages;
    this.rollups += s.rollups;
    this.checkpoints += s.checkpoints;
    for (const k of Object.keys(this.stepsMs) as (keyof BatchStepsMs)[]) this.stepsMs[k] += s.stepsMs[k];
  }
  summary() {
    const steps = Object.fromEntries(Object.entries(this.stepsMs).map(([k, v]) => [k, Math.round(v)]));
    return {
      batches: this.batches,
      messagesPerBatch: Number((this.messages / Math.max(1, this.batches)).toFixed(1)),
      rollupDocuments: this.rollups,
      checkpointWrites: this.checkpoints,
      /** Summed over batches (ms): with several partitions in flight they overlap in wall time. */
      stepsMs: steps,
      produceToWriteMs: latencySummary(this.latencies),
    };
  }
}

const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: tag }, logger);
await bus.connect();
await bus.ensureTopics([
  { topic, partitions: 6 },
  { topic: config.STREAM_DEAD_LETTER_TOPIC, partitions: 1 },
]);
const producer = await bus.producer({ idempotent: true });
const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
const health = await mongo.health();
const upsertOptions = {
  opsPerCommand: process.env.STREAM_BULK_OPS_PER_COMMAND
    ? config.STREAM_BULK_OPS_PER_COMMAND
    : health.ferretdb
      ? 32
      : 1_000,
  insertFirst: health.ferretdb,
};

try {
  let phase = new PhaseStats();
  const app = await startStreamProcessor(
    { ...config, STREAM_BULK_OPS_PER_COMMAND: upsertOptions.opsPerCommand },
    logger,
    { collectLatencies: true, onBatch: (s) => phase.add(s) },
  );

  // 1. Full speed.
  const t0 = performance.now();
  for (let i = 0; i < fullSpeed.length; i += 500) await producer.send(topic, fullSpeed.slice(i, i + 500));
  const produceMs = performance.now() - t0;
  while (phase.messages < N) await sleep(20);
  const e2eMs = performance.now() - t0;
  const full = phase.summary();
  const bars1m = await barsCollection(mongo.db, "1m").find().toArray();
  const rollupDocs = await rollupCollection(mongo.db).find().toArray();
  const documents = bars1m.length + rollupDocs.length;

  // 2. Paced.
  phase = new PhaseStats();
  let pacedResult: (ReturnType<PhaseStats["summary"]> & { rate: number; seconds: number; sends: number }) | null = null;
  if (P > 0) {
    let sent = 0;
    let sends = 0;
    const p0 = performance.now();
    while (sent < P) {
      const due = dueMessages(performance.now() - p0, RATE, P);
      if (due > sent) {
        await producer.send(topic, paced.slice(sent, due));
        sent = due;
        sends++;
      }
      await sleep(TICK_MS);
    }
    const pacedMs = performance.now() - p0;
    while (phase.messages < P) await sleep(20);
    pacedResult = { rate: rate(P, pacedMs), seconds: seconds(pacedMs), sends, ...phase.summary() };
  }
  await app.stop();

  // 3a. Raw limit: kafkajs consume-only over the phase-1 messages.
  const consumer = await bus.consumer({ groupId: `${tag}_raw` });
  await consumer.subscribe([topic]);
  let raw = 0;
  let rawStart = 0;
  await consumer.runBatches(async (batch, control) => {
    if (rawStart === 0) rawStart = performance.now();
    raw += batch.messages.length;
    control.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
  });
  while (raw < N + P) await sleep(20);
  const consumeMs = performance.now() - rawStart;
  await consumer.stop();
  await consumer.disconnect();

  // 3b. Raw limit: the documents of phase 1 written as the processor writes them (same collections and indexes
  // in a fresh database, slices of WRITE_SLICE, same upsert options), and nothing else.
  const rawDb = mongo.client.db(`${tag}_raw`);
  await ensureIndexes(rawDb);
  const insertSlices = async (docs: BarDocument[], coll: ReturnType<typeof rollupCollection>) => {
    for (let i = 0; i < docs.length; i += WRITE_SLICE)
      await upsertBars(coll, docs.slice(i, i + WRITE_SLICE), upsertOptions);
  };
  const u0 = performance.now();
  await insertSlices(bars1m, barsCollection(rawDb, "1m"));
  await insertSlices(rollupDocs, rollupCollection(rawDb));
  const insertMs = performance.now() - u0;
  // Rewrites of existing documents (replaceOne) are far slower on FerretDB: one slice is enough to show it.
  const rewrite = bars1m.slice(0, WRITE_SLICE);
  const r0 = performance.now();
  await upsertBars(barsCollection(rawDb, "1m"), rewrite, { ...upsertOptions, insertFirst: false });
  const rewriteMs = performance.now() - r0;
  // One checkpoint rewrite per series, as a batch touching every series writes them (documents from phase 2).
  const checkpoints = await checkpointsCollection(mongo.db).find().toArray();
  const c0 = performance.now();
  await checkpointsCollection(mongo.db).bulkWrite(
    checkpoints.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })),
    { ordered: false },
  );
  const checkpointMs = performance.now() - c0;

  const kafkaConsumeOnlyPerSecond = rate(N + P, consumeMs);
  const mongoBarsPerSecond = rate(N, insertMs);
  const slowerRawBarsPerSecond = Math.min(kafkaConsumeOnlyPerSecond, mongoBarsPerSecond);
  const e2eBarsPerSecond = rate(N, e2eMs);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    servers: {
      kafka: config.KAFKA_BROKERS.join(","),
      mongo: health.ferretdb ? `FerretDB (${health.version})` : `MongoDB ${health.version}`,
    },
    processor: {
      partitions: 6,
      partitionsConsumedConcurrently: config.STREAM_PARTITIONS_CONCURRENCY,
      opsPerCommand: upsertOptions.opsPerCommand,
      insertFirst: upsertOptions.insertFirst,
      writeSlice: WRITE_SLICE,
    },
    bars: N,
    symbols: S,
    endToEnd: {
      barsPerSecond: e2eBarsPerSecond,
      documentsPerSecond: rate(documents, e2eMs),
      seconds: seconds(e2eMs),
      documents: { bars1m: bars1m.length, rollups: rollupDocs.length },
      produceBarsPerSecond: rate(N, produceMs),
      ratioToSlowerRawLimit: Number((e2eBarsPerSecond / slowerRawBarsPerSecond).toFixed(2)),
      ...full,
    },
    paced: pacedResult,
    rawLimits: {
      kafkaConsumeOnlyPerSecond,
      mongoInsertSameDocuments: {
        barsPerSecond: mongoBarsPerSecond,
        documentsPerSecond: rate(documents, insertMs),
        seconds: seconds(insertMs),
      },
      mongoReplaceExistingPerSecond: rate(rewrite.length, rewriteMs),
      mongoCheckpointRewrite: { checkpoints: checkpoints.length, ms: Math.round(checkpointMs) },
    },
  };
  const table = [
    ["end-to-end (full speed)", `${e2eBarsPerSecond} bars/s, ${result.endToEnd.documentsPerSecond} docs/s`],
    ["  / slower raw limit", `${result.endToEnd.ratioToSlowerRawLimit} (target >= 0.8)`],
    ["  produce->write p50/p99", `${full.produceToWriteMs.p50} / ${full.produceToWriteMs.p99} ms (backlog)`],
    ["  batches, msgs/batch", `${full.batches}, ${full.messagesPerBatch}`],
    [
      "  steps (sum ms)",
      Object.entries(full.stepsMs)
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
    ],
    ["kafkajs consume-only", `${kafkaConsumeOnlyPerSecond} msg/s`],
    [
      "MongoDB insert, same docs",
      `${mongoBarsPerSecond} bars/s, ${result.rawLimits.mongoInsertSameDocuments.documentsPerSecond} docs/s`,
    ],
    ...(pacedResult
      ? [
          [
            `paced ${pacedResult.rate} bars/s, ${pacedResult.seconds} s`,
            `${pacedResult.batches} batches, ${pacedResult.messagesPerBatch} msgs/batch`,
          ],
          [
            "  produce->write p50/p95/p99/max",
            `${pacedResult.produceToWriteMs.p50} / ${pacedResult.produceToWriteMs.p95} / ${pacedResult.produceToWriteMs.p99} / ${pacedResult.produceToWriteMs.max} ms (target p99 < 100)`,
          ],
          [
            "  steps (sum ms)",
            Object.entries(pacedResult.stepsMs)
              .map(([k, v]) => `${k} ${v}`)
              .join(", "),
          ],
        ]
      : []),
  ];
  for (const [k, v] of table) process.stdout.write(`${k!.padEnd(34)} ${v}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await mongo.db.dropDatabase().catch(() => {});
  await mongo.client
    .db(`${tag}_raw`)
    .dropDatabase()
    .catch(() => {});
  await mongo.close();
  await bus.close();
}
process.exit(0);
