// The Kafka client of the project. Services see only the small interface below, so that kafkajs
// (unmaintained since 2.2.4) can be swapped without touching the processing code.
import { CompressionTypes, type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import type { Logger } from "../logger.ts";

export interface OutgoingMessage {
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker or producer timestamp, epoch ms. */
  timestamp: number;
}

export interface IncomingBatch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: IncomingMessage[];
}

export interface BatchControl {
  /** Marks an offset as processed; only resolved offsets are committed. */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  commit(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface ProducerHandle {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConsumerHandle {
  subscribe(topics: readonly string[], opts?: { fromBeginning?: boolean }): Promise<void>;
  /** Runs the batch loop; offsets are committed only when resolved (auto-resolve is off). */
  runBatches(handler: (batch: IncomingBatch, control: BatchControl) => Promise<void>): Promise<void>;
  /** Resolves once the group has assigned partitions to this member. */
  onGroupJoin(listener: (assigned: Record<string, number[]>) => void): void;
  stop(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** Fail fast instead of retrying (e.g. a status page that must answer even when Kafka is down). */
  failFast?: boolean;
}

export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

export interface KafkaBus {
  connect(): Promise<void>;
  health(): Promise<{ ok: boolean; brokers: number; controller: number | null }>;
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Low and high watermark of every partition of a topic. */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** A group's committed offsets (negative where it has none), without joining the group. */
  groupOffsets(
    groupId: string,
    topics: readonly string[],
  ): Promise<{ topic: string; partition: number; offset: number }[]>;
  producer(opts?: { idempotent?: boolean }): Promise<ProducerHandle>;
  consumer(opts: {
    groupId: string;
    sessionTimeoutMs?: number;
    /** How long a rebalance waits for members to rejoin (kafkajs default 60 s: a SIGKILLed member's restart waits that long). */
    rebalanceTimeoutMs?: number;
    maxBytesPerPartition?: number;
    /** Partitions whose batches run at the same time (kafkajs partitionsConsumedConcurrently, default 1). */
    partitionsConcurrently?: number;
  }): Promise<ConsumerHandle>;
  close(): Promise<void>;
}

function toKafkaLogLevel(level: string): logLevel {
  if (level === "debug" || level === "trace") return logLevel.DEBUG;
  if (level === "info") return logLevel.INFO;
  if (level === "warn") return logLevel.WARN;
  return logLevel.ERROR;
}

export function createKafkaBus(config: KafkaConfig, logger: Logger): KafkaBus {
  // We key by symbol with the default (murmur2, Java-compatible) partitioner; the v2 notice is noise.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";
  const log = logger.child({ component: "kafka" });
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.failFast ? 3_000 : 5_000,
    ...(config.failFast ? { requestTimeout: 5_000 } : {}),
    retry: { retries: config.failFast ? 1 : 8, initialRetryTime: 200 },
    logLevel: toKafkaLogLevel(logger.level),
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        // kafkajs logs group joins and stops at INFO; they are debug detail for us. It also warns at every idempotent
        // producer that bounded retries "may invalidate EoS guarantees": we bound them on purpose (a send fails
        // instead of hanging), and a re-sent bar is harmless (deterministic id, idempotent writes): debug too.
        const routine = level === logLevel.WARN && message.startsWith("Limiting retries for the idempotent producer");
        const fn = level <= logLevel.ERROR ? log.error : level === logLevel.WARN && !routine ? log.warn : log.debug;
        fn.call(log, rest, message);
      },
  });
  const admin = kafka.admin();
  const open = new Set<Producer | Consumer>();
  let connected = false;

  return {
    async connect() {
      if (!connected) {
        await admin.connect();
        connected = true;
      }
    },
    async health() {
      try {
        const cluster = await admin.describeCluster();
        return { ok: cluster.brokers.length > 0, brokers: cluster.brokers.length, controller: cluster.controller };
      } catch {
        return { ok: false, brokers: 0, controller: null };
      }
    },
    async ensureTopics(specs) {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions ?? 3,
          replicationFactor: s.replicationFactor ?? 1,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      log.info({ topics: missing.map((s) => s.topic) }, "created topics");
    },
    listTopics() {
      return admin.listTopics();
    },
    async topicOffsets(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }));
    },
    async groupOffsets(groupId, topics) {
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      return committed.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
      );
    },
    async producer(opts = {}) {
      const idempotent = opts.idempotent ?? true;
      const p = kafka.producer({ idempotent, maxInFlightRequests: idempotent ? 1 : 5, allowAutoTopicCreation: false });
      await p.connect();
      open.add(p);
      return {
        async send(topic, messages) {
          if (messages.length === 0) return;
          await p.send({
            topic,
            acks: -1,
            compression: CompressionTypes.GZIP,
            messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
          });
        },
        async disconnect() {
          open.delete(p);
          await p.disconnect();
        },
      };
    },
    async consumer(opts) {
      const c = kafka.consumer({
        groupId: opts.groupId,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        ...(opts.rebalanceTimeoutMs === undefined ? {} : { rebalanceTimeout: opts.rebalanceTimeoutMs }),
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 1_048_576,
        allowAutoTopicCreation: false,
      });
      await c.connect();
      open.add(c);
      return {
        async subscribe(topics, subOpts = {}) {
          await c.subscribe({ topics: [...topics], fromBeginning: subOpts.fromBeginning ?? true });
        },
        async runBatches(handler) {
          await c.run({
            eachBatchAutoResolve: false,
            autoCommit: true,
            partitionsConsumedConcurrently: opts.partitionsConcurrently ?? 1,
            eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
              await handler(
                {
                  topic: batch.topic,
                  partition: batch.partition,
                  highWatermark: batch.highWatermark,
                  messages: batch.messages.map((m) => ({
                    topic: batch.topic,
                    partition: batch.partition,
                    offset: m.offset,
                    key: m.key ? m.key.toString("utf8") : null,
                    value: m.value,
                    headers: Object.fromEntries(
                      Object.entries(m.headers ?? {}).map(([k, v]) => [
                        k,
                        Array.isArray(v) ? String(v[0]) : String(v ?? ""),
                      ]),
                    ),
                    timestamp: Number(m.timestamp),
                  })),
                },
                {
                  resolveOffset,
                  heartbeat,
                  commit: () => commitOffsetsIfNecessary(),
                  isRunning,
                  isStale,
                },
              );
            },
          });
        },
        onGroupJoin(listener) {
          c.on(c.events.GROUP_JOIN, (e) => listener(e.payload.memberAssignment));
        },
        async stop() {
          await c.stop();
        },
        async disconnect() {
          open.delete(c);
          await c.disconnect();
        },
      };
    },
    async close() {
      await Promise.allSettled([...open].map((x) => x.disconnect()));
      open.clear();
      if (connected) await admin.disconnect();
      connected = false;
    },
  };
}
