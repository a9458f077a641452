#!/usr/bin/env node
// pnpm bench:trades [--aggregate N] [--trades M] [--symbols S] [--rate R] [--seconds T] [--json FILE]
// (defaults: 1,000,000 trades for the aggregator alone; 1,000,000 through Kafka; 10 symbols; 10,000 trades/s for
// 30 s paced; --rate 0 skips the paced phase). One run, three phases, side by side:
//   1. aggregator alone, in this process (one thread): N generated trades (as JSON.parse gives them) through
//      CandleAggregator (1s/10s/1m, 2 s lateness); trades/s per wall second and per CPU second, five repetitions;
//      also decode + aggregate from message buffers (what the consumer does per message);
//   2. end to end on the native servers: M trades produced into a fresh 6-partition topic first; then, over that
//      backlog, kafkajs consume-only (resolve offsets, nothing else), the candle aggregator (Kafka -> candles ->
//      MongoDB, in-process), and consume-only again, each timed from its group join (the first fetch follows) to
//      its last message (consume-only) or last output written (aggregator); e2e / raw ratio;
//   0. the trade lake: the same trades as Parquet with each codec (hyparquet-writer, the lake's writer), bytes and
//      write/read time, and parquetjs-lite (the bar lake's writer, no zstd) writing the same columns, per row;
//   3. paced: the trade feed as a child process (`trade-feed synthetic --rate R --steady`, a plain Poisson process,
//      ingestTs stamped as it sends) while the aggregator runs: arrival (ingestTs) -> candle visible (the forming
//      candle's write acknowledged by MongoDB), p50/p95/p99/max.
// Load averages are recorded at each phase: on a shared machine compare within one run.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  connectMongo,
  createKafkaBus,
  createLogger,
  loadConfigOrExit,
  parquetSchema,
  readTradesParquet,
  type Trade,
  type TradeParquetCodec,
  type TradeRow,
  writeParquet,
  writeTradesParquet,
} from "@quant/core";
import { latencySummary } from "@quant/core/bench";
import { CandleAggregator, decodeTrade, parseWidths, TradeGenerator } from "@quant/trades";
import { aggregatorEnv } from "../src/config.ts";
import { startCandleAggregator } from "../src/run.ts";

const { values } = parseArgs({
  options: {
    aggregate: { type: "string" },
    trades: { type: "string" },
    symbols: { type: "string" },
    rate: { type: "string" },
    seconds: { type: "string" },
    json: { type: "string" },
  },
});
const N = Number(values.aggregate ?? 1_000_000);
const M = Number(values.trades ?? 1_000_000);
const S = Number(values.symbols ?? 10);
const RATE = Number(values.rate ?? 10_000);
const SECONDS = Number(values.seconds ?? 30);
const TARGETS = { aggregatePerSecond: 2_000_000, endToEndPerSecond: 150_000, ratioToRaw: 0.5, pacedP99Ms: 250 };
const tag = `tbench_${Date.now().toString(36)}`;
const logger = createLogger("bench", "warn");
const widths = parseWidths("1s,10s,1m");
const symbols = Array.from({ length: S }, (_, i) => ({ symbol: `SYN-B${i}`, assetClass: "crypto" as const }));
const load = () => loadavg().map((x) => Number(x.toFixed(2)));
const rate = (n: number, ms: number) => Math.round((n / ms) * 1_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** CPU seconds of this process (all its threads) since `from`. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
};

/** Deliveries of the generator (10,000 trades/s of event time, 1 % out of order, 0.5 % re-sent), as JSON. */
function generate(count: number, start: number): string[] {
  const g = new TradeGenerator({
    seed: 7,
    symbols,
    ratePerSecond: 10_000,
    start,
    chaos: { late: 0, outOfOrder: 0.01, duplicate: 0.005, corrupt: 0 },
  });
  const out: string[] = [];
  for (let e = g.next(); e && out.length < count; e = g.next())
    if (e.kind === "trade") out.push(JSON.stringify({ ...e.trade, ingestTs: Math.max(e.at, e.trade.ts) }));
  return out;
}

// --- 0. The trade lake's codecs ---
process.stdout.write("0. trade lake: 100,000 trades per codec\n");
const lakeRows: TradeRow[] = generate(100_000, Date.UTC(2024, 0, 2)).map((s, i) => ({
  ...(JSON.parse(s) as Trade),
  partition: 0,
  offset: i,
}));
const codecs: Record<string, { bytes: number; writeMs: number; readMs: number }> = {};
for (const codec of ["ZSTD", "SNAPPY", "GZIP", "UNCOMPRESSED"] as TradeParquetCodec[]) {
  const t0 = performance.now();
  const buf = writeTradesParquet(lakeRows, codec);
  const t1 = performance.now();
  await readTradesParquet(buf);
  codecs[codec] = { bytes: buf.length, writeMs: Math.round(t1 - t0), readMs: Math.round(performance.now() - t1) };
}
// parquetjs-lite (the bar lake's writer) on the same columns: 20,000 rows are enough to see its per-row cost.
const lite = parquetSchema(
  Object.fromEntries(
    Object.entries({
      v: "INT32",
      symbol: "UTF8",
      assetClass: "UTF8",
      exchange: "UTF8",
      currency: "UTF8",
      ts: "TIMESTAMP_MILLIS",
      ingestTs: "TIMESTAMP_MILLIS",
      price: "DOUBLE",
      size: "DOUBLE",
      id: "UTF8",
      conditions: "UTF8",
      source: "UTF8",
      partition: "INT32",
      offset: "INT64",
    }).map(([k, type]) => [k, { type, compression: "SNAPPY" }]),
  ),
);
const liteRows = lakeRows.slice(0, 20_000).map((r) => ({
  ...r,
  ts: new Date(r.ts),
  ingestTs: new Date(r.ingestTs),
  conditions: JSON.stringify(r.conditions),
}));
const l0 = performance.now();
const liteBytes = (await writeParquet(lite, liteRows, 100_000)).length;
const liteMs = performance.now() - l0;
const lake = {
  rows: lakeRows.length,
  hyparquetWriter: codecs,
  parquetjsLiteSnappy: { rows: liteRows.length, bytes: liteBytes, writeMs: Math.round(liteMs) },
  writeMicrosecondsPerRow: {
    hyparquetWriterZstd: Number(((codecs.ZSTD!.writeMs * 1_000) / lakeRows.length).toFixed(1)),
    parquetjsLiteSnappy: Number(((liteMs * 1_000) / liteRows.length).toFixed(1)),
  },
};
process.stdout.write(
  `   ZSTD ${codecs.ZSTD!.bytes} B, SNAPPY ${codecs.SNAPPY!.bytes} B; write µs/row: hyparquet-writer ZSTD ${lake.writeMicrosecondsPerRow.hyparquetWriterZstd}, parquetjs-lite SNAPPY ${lake.writeMicrosecondsPerRow.parquetjsLiteSnappy}\n`,
);

// --- 1. The aggregator alone ---
process.stdout.write(`1. aggregator alone: generating ${N} trades\n`);
const aggLoad = load();
const json = generate(N, Date.UTC(2024, 0, 2));
const parsed: Trade[] = json.map((s) => JSON.parse(s) as Trade);
const buffers = json.map((s) => Buffer.from(s));
const keys = parsed.map((t) => t.symbol);
const runs: { wallPerSecond: number; cpuPerSecond: number }[] = [];
for (let rep = 0; rep < 5; rep++) {
  const a = new CandleAggregator({ widths, allowedLatenessMs: 2_000 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < parsed.length; i++) {
    a.apply(parsed[i]!);
    if ((i & 8_191) === 0) a.drainClosed();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  runs.push({ wallPerSecond: rate(N, ms), cpuPerSecond: rate(N, (cpu.user + cpu.system) / 1_000) });
}
const decodeRuns: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  const a = new CandleAggregator({ widths, allowedLatenessMs: 2_000 });
  const t0 = performance.now();
  for (let i = 0; i < buffers.length; i++) a.apply(decodeTrade(buffers[i]!, keys[i]!));
  decodeRuns.push(rate(N, performance.now() - t0));
}
const aggregator = {
  trades: N,
  symbols: S,
  loadAverage: aggLoad,
  runs,
  medianPerSecond: median(runs.map((r) => r.wallPerSecond)),
  medianPerCpuSecond: median(runs.map((r) => r.cpuPerSecond)),
  decodeAndAggregatePerSecond: median(decodeRuns),
};
process.stdout.write(
  `   ${aggregator.medianPerSecond} trades/s (median of 5; ${aggregator.medianPerCpuSecond}/CPU-s), decode+aggregate ${aggregator.decodeAndAggregatePerSecond}/s\n`,
);

// --- 2. End to end over a backlog ---
const config = loadConfigOrExit(aggregatorEnv, {
  ...process.env,
  LOG_LEVEL: "warn",
  KAFKA_CLIENT_ID: tag,
  MONGODB_DB: `${tag}_db`,
  TRADES_TOPIC: `${tag}_trades`,
  TRADES_GROUP_ID: `${tag}_e2e`,
  TRADES_DEAD_LETTER_TOPIC: `${tag}_dlq`,
  TRADES_BAR_TOPIC: `${tag}_bars`,
  TRADES_FROM_BEGINNING: "true",
});
const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: tag }, logger);
await bus.connect();
const pacedTopic = `${tag}_paced`;
await bus.ensureTopics([
  { topic: config.TRADES_TOPIC, partitions: 6 },
  { topic: pacedTopic, partitions: 6 },
  { topic: config.TRADES_DEAD_LETTER_TOPIC, partitions: 1 },
  { topic: config.TRADES_BAR_TOPIC!, partitions: 3 },
]);
const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
const health = await mongo.health();

let endToEnd: Record<string, unknown> | null = null;
let paced: Record<string, unknown> | null = null;
try {
  process.stdout.write(`2. end to end: producing ${M} trades\n`);
  // Event time ends now: nothing is refused as from the future.
  const backlog = generate(M, Date.now() - Math.ceil(M / 10) - 60_000);
  const keyOf = (s: string) => s.slice(s.indexOf('"symbol":"') + 10, s.indexOf('"', s.indexOf('"symbol":"') + 10));
  // Four producers in parallel, each with its own symbols (per-symbol order kept).
  // Uncompressed, as the trade feed sends by default (FEED_COMPRESSION).
  const producers = await Promise.all([0, 1, 2, 3].map(() => bus.producer({ idempotent: true, compression: "none" })));
  const p0 = performance.now();
  await Promise.all(
    producers.map(async (p, k) => {
      const mine = backlog.filter((s) => Number(keyOf(s).slice(5)) % producers.length === k);
      for (let i = 0; i < mine.length; i += 2_000)
        await p.send(
          config.TRADES_TOPIC,
          mine.slice(i, i + 2_000).map((value) => ({ key: keyOf(value), value })),
        );
    }),
  );
  const produceMs = performance.now() - p0;

  const rawConsume = async (label: string) => {
    const consumer = await bus.consumer({
      groupId: `${tag}_raw_${label}`,
      maxBytesPerPartition: config.TRADES_MAX_BYTES_PER_PARTITION,
      partitionsConcurrently: config.TRADES_PARTITIONS_CONCURRENCY,
    });
    await consumer.subscribe([config.TRADES_TOPIC]);
    let n = 0;
    let first = 0;
    let last = 0;
    let cpu0 = process.cpuUsage();
    const l = load();
    consumer.onGroupJoin(() => {
      first = performance.now();
      cpu0 = process.cpuUsage();
    });
    await consumer.runBatches(async (batch, control) => {
      n += batch.messages.length;
      control.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      last = performance.now();
    });
    while (n < M) await sleep(10);
    const cpu = cpuSeconds(cpu0);
    await consumer.stop();
    await consumer.disconnect();
    return {
      perSecond: rate(M, last - first),
      seconds: Number(((last - first) / 1_000).toFixed(2)),
      perCpuSecond: Math.round(M / cpu),
      loadAverage: l,
    };
  };

  const raw1 = await rawConsume("a");
  process.stdout.write(`   kafkajs consume-only: ${raw1.perSecond} msg/s\n`);
  let consumed = 0;
  let batches = 0;
  let applyMs = 0;
  let waitMs = 0;
  let firstBatch = 0;
  let rounds = 0;
  let candles = 0;
  const writeMs: Record<string, number> = { forming: 0 };
  let formingWrites = 0;
  let stateBytes = 0;
  const e2eLoad = load();
  let e2eCpu0 = process.cpuUsage();
  const app = await startCandleAggregator(config, logger, {
    onJoin() {
      firstBatch = performance.now();
      e2eCpu0 = process.cpuUsage();
    },
    onBatch(s) {
      consumed += s.messages;
      batches++;
      applyMs += s.ms;
      waitMs += s.waitMs;
    },
    onForming(f) {
      formingWrites++;
      writeMs.forming = Math.round(writeMs.forming! + f.ms);
    },
    onRound(r) {
      rounds++;
      candles += r.candles;
      stateBytes += r.stateBytes;
      for (const [k, v] of Object.entries(r.stepsMs)) writeMs[k] = Math.round((writeMs[k] ?? 0) + v);
    },
  });
  // Every trade applied (no batch in flight once the last one is counted): the end is when every output of them is
  // written, with the window states that cover them.
  while (consumed < M) await sleep(5);
  await app.processor.flush();
  const doneAt = performance.now();
  const e2eCpu = cpuSeconds(e2eCpu0);
  await app.stop();
  const e2eMs = doneAt - firstBatch;
  const raw2 = await rawConsume("b");
  const e2ePerSecond = rate(M, e2eMs);
  const rawMean = Math.round((raw1.perSecond + raw2.perSecond) / 2);
  endToEnd = {
    trades: M,
    produce: { perSecond: rate(M, produceMs), producers: producers.length },
    rawConsumeBefore: raw1,
    endToEnd: {
      perSecond: e2ePerSecond,
      seconds: Number((e2eMs / 1_000).toFixed(2)),
      perCpuSecond: Math.round(M / e2eCpu),
      loadAverage: e2eLoad,
      candlesWritten: candles,
      batches,
      /** Summed over batches (several partitions in flight overlap): applying them, waiting for the writer. */
      batchApplyMs: Math.round(applyMs),
      batchWaitMs: Math.round(waitMs),
      writeRounds: rounds,
      /** Summed over the rounds of the durable lane, and over the writes of the forming candles (the other lane). */
      writeMs,
      formingWrites,
      stateBytesWritten: stateBytes,
    },
    rawConsumeAfter: raw2,
    ratioToRawMean: Number((e2ePerSecond / rawMean).toFixed(2)),
    ratioToRawBefore: Number((e2ePerSecond / raw1.perSecond).toFixed(2)),
    ratioToRawAfter: Number((e2ePerSecond / raw2.perSecond).toFixed(2)),
  };
  process.stdout.write(
    `   end to end: ${e2ePerSecond} trades/s (${candles} candles); consume-only after: ${raw2.perSecond} msg/s; e2e/raw ${endToEnd.ratioToRawMean}\n`,
  );

  // --- 3. Paced: the feed as a child process ---
  if (RATE > 0) {
    process.stdout.write(`3. paced: ${RATE} trades/s for ${SECONDS} s\n`);
    const samples: { at: number; ms: number }[] = [];
    const arrivals: number[] = [];
    const pacedConfig = { ...config, TRADES_TOPIC: pacedTopic, TRADES_GROUP_ID: `${tag}_paced` };
    const pacedLoad = load();
    const app2 = await startCandleAggregator(pacedConfig, logger, {
      onBatch(b) {
        for (const ms of b.arrivalLagMs ?? []) arrivals.push(ms);
      },
      onVisible(lat) {
        const at = performance.now();
        for (const ms of lat) samples.push({ at, ms });
      },
    });
    const feedMain = resolve(import.meta.dirname, "../../trade-feed/src/main.ts");
    const feed = spawn(
      process.execPath,
      [
        feedMain,
        "synthetic",
        "--rate",
        String(RATE),
        "--steady",
        "--duration",
        String(SECONDS),
        "--symbols",
        symbols.map((s) => s.symbol).join(","),
      ],
      {
        env: {
          ...process.env,
          LOG_LEVEL: "warn",
          TRADES_TOPIC: pacedTopic,
          KAFKA_BROKERS: config.KAFKA_BROKERS.join(","),
        },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const t0 = performance.now();
    const code = await new Promise<number | null>((r) => feed.on("exit", (c) => r(c)));
    const feedMs = performance.now() - t0;
    await sleep(2_000);
    await app2.stop();
    const all = samples.map((s) => s.ms);
    // The first 2 s warm the feed's and the aggregator's code up.
    const steady = samples.filter((s) => s.at - t0 > 2_000).map((s) => s.ms);
    paced = {
      rate: RATE,
      seconds: SECONDS,
      feedExit: code,
      feedSeconds: Number((feedMs / 1_000).toFixed(2)),
      trades: all.length,
      achievedPerSecond: rate(all.length, SECONDS * 1_000),
      loadAverage: pacedLoad,
      arrivalToVisibleMs: latencySummary(all),
      afterFirst2sMs: latencySummary(steady),
      /** The first part of it: arrival to the aggregator applying the trade (the feed, Kafka, the consumer). */
      arrivalToAppliedMs: latencySummary(arrivals),
    };
    process.stdout.write(
      `   arrival -> visible ms: ${JSON.stringify(paced.arrivalToVisibleMs)} (after 2 s: ${JSON.stringify(paced.afterFirst2sMs)})\n`,
    );
  }
} finally {
  await mongo.db.dropDatabase().catch(() => {});
  await mongo.close();
  await bus.close();
}

const e2e = endToEnd as { endToEnd: { perSecond: number }; ratioToRawMean: number } | null;
const p99 = (paced?.afterFirst2sMs as { p99: number } | undefined)?.p99;
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverageAtEnd: load() },
  servers: {
    kafka: config.KAFKA_BROKERS.join(","),
    mongo: health.ferretdb ? `FerretDB ${health.version}` : `MongoDB ${health.version}`,
  },
  targets: TARGETS,
  met: {
    aggregate: aggregator.medianPerSecond >= TARGETS.aggregatePerSecond,
    endToEnd: e2e !== null && e2e.endToEnd.perSecond >= TARGETS.endToEndPerSecond,
    ratioToRaw: e2e !== null && e2e.ratioToRawMean >= TARGETS.ratioToRaw,
    pacedP99: p99 !== undefined && p99 < TARGETS.pacedP99Ms,
  },
  lake,
  aggregator,
  endToEnd,
  paced,
};
process.stdout.write(`met: ${JSON.stringify(result.met)}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
