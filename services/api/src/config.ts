// The API's configuration from the environment (zod), on the shared parts of @quant/core.
import { booleanFlag, envInt as int, kafkaEnv, logEnv, mongoEnv } from "@quant/core";
import { z } from "zod";

export const apiEnv = {
  ...logEnv,
  ...mongoEnv,
  ...kafkaEnv,
  API_HOST: z.string().min(1).default("0.0.0.0"),
  API_PORT: int(0, 65_535).default(8000),
  /** Most bars one request may ask for (limit, or a from/to range divided by the interval). */
  API_MAX_BARS: int(1, 100_000).default(5_000),
  /** How often the live poller looks for new bars (FerretDB has no change streams). */
  API_POLL_MS: int(100, 60_000).default(1_000),
  /** Consumer group whose lag the pipeline panel shows. */
  API_STREAM_GROUP: z.string().min(1).default("stream-processor"),
  /** Read Kafka offsets for the pipeline panel (false: the panel says so and shows no lag). */
  API_KAFKA_STATS: booleanFlag.default(true),
  /** After SIGTERM/SIGINT: how long in-flight requests and SSE streams get before the process exits anyway. */
  API_SHUTDOWN_TIMEOUT_MS: int(100, 60_000).default(10_000),
};
