// The trade archiver's configuration from the environment (zod), on the shared parts of @quant/core.
import { booleanFlag, envInt as int, kafkaEnv, logEnv, s3Env, TOPICS } from "@quant/core";
import { z } from "zod";

export const archiverEnv = {
  ...logEnv,
  ...kafkaEnv,
  ...s3Env,
  TRADES_TOPIC: z.string().min(1).default(TOPICS.trades),
  /** Its own consumer group: the lake follows the topic independently of the candles. */
  ARCHIVER_GROUP_ID: z.string().min(1).default("trade-archiver"),
  /** A partition's buffered trades are written when the oldest is this old (ms)… */
  ARCHIVER_FLUSH_MS: int(100, 3_600_000).default(60_000),
  /** …or when it holds this many. */
  ARCHIVER_MAX_ROWS: int(1, 10_000_000).default(50_000),
  ARCHIVER_FROM_BEGINNING: booleanFlag.default(true),
  ARCHIVER_MAX_BYTES_PER_PARTITION: int(1_024, 64 * 1_048_576).default(1_048_576),
  ARCHIVER_SESSION_TIMEOUT_MS: int(6_000, 300_000).default(30_000),
  ARCHIVER_SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000).default(60_000),
};

export type ArchiverConfig = z.infer<z.ZodObject<typeof archiverEnv>>;
