// Helpers for integration tests: clients on the servers the global setup started, with names
// unique to the run so that test files never see each other's data; producing bars, waiting, and comparable
// snapshots of the bar collections.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { BSON, type Document } from "mongodb";
import { barMessage } from "./bar-messages.ts";
import { createKafkaBus, type KafkaBus, type ProducerHandle } from "./clients/kafka.ts";
import { connectMongo, type MongoHandle } from "./clients/mongo.ts";
import { createObjectStore, type ObjectStore, s3ConfigFromEnv } from "./clients/s3.ts";
import { kafkaEnv, loadConfig, mongoEnv, s3Env } from "./config.ts";
import { type Bar, type BarInput, makeBar } from "./domain/bar.ts";
import { createLogger } from "./logger.ts";
import { BARS_COLLECTIONS, COLLECTIONS } from "./store/layout.ts";

/** The error `f` throws, which must be a `type` (another error is rethrown; no error fails the test). */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

/** One valid bar for unit tests: AAPL's daily bar of 2024-01-02 (O 10, H 12, L 9, C 11), with these fields changed. */
export function sampleBar(fields: Partial<Omit<BarInput, "v" | "id">> = {}): Bar {
  return makeBar({
    symbol: "AAPL",
    assetClass: "equity",
    interval: "1d",
    ts: "2024-01-02T14:30:00Z",
    tradingDate: "2024-01-02",
    open: 10,
    high: 12,
    low: 9,
    close: 11,
    adjClose: null,
    volume: 1_000,
    currency: "USD",
    exchange: "XNAS",
    source: "synthetic",
    ingestTs: "2024-01-02T21:00:00Z",
    partial: false,
    ...fields,
  });
}

/** The configuration of the native servers (set by the integration global setup). */
export function testConfig() {
  return loadConfig({ ...kafkaEnv, ...mongoEnv, ...s3Env });
}

export const testLogger = createLogger("test", process.env.QUANT_TEST_LOG_LEVEL ?? "warn");

export interface RecordedPush {
  method: string;
  path: string;
  body: string;
}

/** A stand-in Pushgateway (not part of the native stack): records every request and answers 200. */
export async function startPushRecorder(): Promise<{ url: string; pushes: RecordedPush[]; close(): Promise<void> }> {
  const pushes: RecordedPush[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      pushes.push({ method: req.method ?? "", path: req.url ?? "", body });
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Runs a Node script to its end, like a CLI run: its exit code and its stdout and stderr, interleaved. */
export async function runNodeScript(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  return { code, output };
}

/** A database of the test's own on the native MongoDB-wire server; dropAndClose() removes it and disconnects. */
export type TestDb = MongoHandle & { dropAndClose(): Promise<void> };

export async function connectTestDb(prefix: string): Promise<TestDb> {
  const mongo = await connectMongo({ uri: testConfig().MONGODB_URI, dbName: uniqueName(prefix) }, testLogger);
  return {
    ...mongo,
    async dropAndClose() {
      await mongo.db.dropDatabase().catch(() => {});
      await mongo.close();
    },
  };
}

/** A bucket of the test's own (S3 names: lower case, no underscores), created; remove() deletes it with its objects. */
export async function createTestBucket(
  prefix: string,
): Promise<{ store: ObjectStore; bucket: string; remove(): Promise<void> }> {
  const bucket = uniqueName(prefix).toLowerCase().replaceAll("_", "-");
  const store = createObjectStore(s3ConfigFromEnv({ ...testConfig(), S3_BUCKET: bucket }), testLogger);
  await store.ensureBucket();
  return {
    store,
    bucket,
    async remove() {
      const keys = await store.list("");
      if (keys.length > 0) await store.client.removeObjects(bucket, keys);
      await store.client.removeBucket(bucket);
    },
  };
}

/** A bar topic, a dead-letter topic and a database of the test's own, with clients on them. */
export interface PipelineTestEnv {
  bus: KafkaBus;
  producer: ProducerHandle;
  mongo: MongoHandle;
  topic: string;
  deadLetterTopic: string;
  dbName: string;
  close(): Promise<void>;
}

/** `extraTopics` (3 partitions each) are created in the same request (a second one can race the first's leaders). */
export async function createPipelineTestEnv(
  name: string,
  partitions = 3,
  extraTopics: readonly string[] = [],
): Promise<PipelineTestEnv> {
  const cfg = testConfig();
  const topic = uniqueName(`${name}_bars`);
  const deadLetterTopic = uniqueName(`${name}_dlq`);
  const dbName = uniqueName(name);
  const bus = createKafkaBus({ brokers: cfg.KAFKA_BROKERS, clientId: uniqueName("test") }, testLogger);
  await bus.connect();
  await bus.ensureTopics([
    { topic, partitions },
    { topic: deadLetterTopic, partitions: 1 },
    ...extraTopics.map((t) => ({ topic: t, partitions: 3 })),
  ]);
  const producer = await bus.producer({ idempotent: true });
  const mongo = await connectMongo({ uri: cfg.MONGODB_URI, dbName }, testLogger);
  return {
    bus,
    producer,
    mongo,
    topic,
    deadLetterTopic,
    dbName,
    async close() {
      await mongo.db.dropDatabase().catch(() => {});
      await mongo.close();
      await bus.close();
    },
  };
}

/** A Node script started as a child process (a service run as it is deployed), its output kept. */
export interface ChildScript {
  child: ChildProcess;
  /** Exit code; -1 when killed by a signal. */
  exited: Promise<number | null>;
  /** stdout and stderr so far, interleaved. */
  output(): string;
}

export function spawnNodeScript(script: string, env: Record<string, string | undefined>): ChildScript {
  const chunks: string[] = [];
  const child = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => chunks.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code, signal) => r(code ?? (signal ? -1 : null))));
  return { child, exited, output: () => chunks.join("") };
}

/** Produces bars as the scraper does (barMessage); `perRequest` also bounds the record batches (the consumer's batches). */
export async function produceBars(
  producer: ProducerHandle,
  topic: string,
  bars: readonly Bar[],
  perRequest = 500,
): Promise<void> {
  for (let i = 0; i < bars.length; i += perRequest)
    await producer.send(topic, bars.slice(i, i + perRequest).map(barMessage));
}

/** Documents in the bar collections (collection metadata: cheap to poll, unlike a counting scan on FerretDB). */
export async function countBars(mongo: MongoHandle): Promise<number> {
  let n = 0;
  for (const name of BARS_COLLECTIONS) n += await mongo.db.collection(name).estimatedDocumentCount();
  return n;
}

/** Documents in bars_rollup (collection metadata, as countBars). */
export async function countRollups(mongo: MongoHandle): Promise<number> {
  return mongo.db.collection(COLLECTIONS.barsRollup).estimatedDocumentCount();
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  pollMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Every bar document of the db (scraped and rollup) by _id, without processedTs (the only field a rewrite changes);
 * with `withoutIngestTs`, without ingestTs too (it differs between two runs that ingested the same bars).
 * Rollup documents are keyed `rollup:<id>` (their ids may equal a scraped bar's).
 */
export async function snapshotBars(
  mongo: MongoHandle,
  opts: { withoutIngestTs?: boolean } = {},
): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const name of [...BARS_COLLECTIONS, COLLECTIONS.barsRollup]) {
    const prefix = name === COLLECTIONS.barsRollup ? "rollup:" : "";
    for (const d of await mongo.db.collection(name).find({}).toArray()) {
      const { processedTs: _, ...rest } = d;
      if (opts.withoutIngestTs) delete rest.ingestTs;
      out.set(`${prefix}${String(d._id)}`, rest);
    }
  }
  return out;
}

/** A stored document as MongoDB holds it (BSON bytes): "unchanged byte for byte" compares these. */
export function documentBytes(doc: Document | null): Buffer {
  if (!doc) throw new Error("no such document");
  return Buffer.from(BSON.serialize(doc));
}
