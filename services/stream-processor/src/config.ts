// The stream processor's configuration from the environment (zod), on the shared parts of @quant/core.
import {
  BAR_TOPICS,
  booleanFlag,
  envInt as int,
  kafkaEnv,
  logEnv,
  metricsServerEnv,
  mongoEnv,
  TOPICS,
} from "@quant/core";
import { z } from "zod";

const topicList = z
  .string()
  .trim()
  .min(1)
  .transform((s) =>
    s
      .split(",")
      .map((t) => t.trim())
      .filter((t) => t.length > 0),
  );

export const streamEnv = {
  ...logEnv,
  ...kafkaEnv,
  ...mongoEnv,
  ...metricsServerEnv,
  /** Consumer group: every replica of the processor joins the same one. */
  STREAM_GROUP_ID: z.string().min(1).default("stream-processor"),
  /** Bar topics to consume (tests use unique names). */
  STREAM_TOPICS: topicList.default([...BAR_TOPICS]),
  STREAM_DEAD_LETTER_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  /** A new group starts at the beginning of the topics (retention bounds the replay). */
  STREAM_FROM_BEGINNING: booleanFlag.default(true),
  /** Upper bound of one fetch per partition, i.e. of one batch (bytes). */
  STREAM_MAX_BYTES_PER_PARTITION: int(1_024, 64 * 1_048_576).default(1_048_576),
  /**
   * Partitions whose batches are handled at the same time (kafkajs partitionsConsumedConcurrently). Order within a
   * partition is kept, and a series (keyed by symbol) lives in one partition, so series never interleave.
   */
  STREAM_PARTITIONS_CONCURRENCY: int(1, 64).default(6),
  STREAM_SESSION_TIMEOUT_MS: int(6_000, 300_000).default(30_000),
  /** A rebalance waits this long for members to rejoin: bounds the pause after a crashed replica (kafkajs default 60 s). */
  STREAM_REBALANCE_TIMEOUT_MS: int(6_000, 300_000).default(30_000),
  /** Statements per bulkWrite command: 32 keeps FerretDB 1.24 clear of its connection-pool deadlock; 1000 on MongoDB. */
  STREAM_BULK_OPS_PER_COMMAND: int(1, 100_000).default(32),
  /**
   * A series' checkpoint (its indicator state) is saved after a batch when the last one is at least this old (ms);
   * 0: after every batch. Checkpoints only speed up restarts: a series whose documents run past its checkpoint is
   * rebuilt from MongoDB history, so a crash loses no document, it costs rebuilds. On FerretDB every checkpoint
   * rewrite scans indicator_state, so fewer of them is most of the latency at a steady rate.
   */
  STREAM_CHECKPOINT_INTERVAL_MS: int(0, 3_600_000).default(5_000),
  /** After SIGTERM/SIGINT: how long the batch in flight may take before the process exits anyway. */
  STREAM_SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000).default(30_000),
};

export type StreamConfig = z.infer<z.ZodObject<typeof streamEnv>>;
