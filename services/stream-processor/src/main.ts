#!/usr/bin/env node
// stream-processor: consumes the bar topics in one consumer group and writes enriched bars to MongoDB.
// Exit codes: 0 stopped by SIGTERM/SIGINT after the batch in flight; 1 failed or shutdown timed out;
// 2 bad configuration; 130 second signal (forced).
import { createLogger, loadConfigOrExit, onShutdown } from "@quant/core";
import { streamEnv } from "./config.ts";
import { startStreamProcessor } from "./run.ts";

const config = loadConfigOrExit(streamEnv);
const logger = createLogger("stream-processor", config.LOG_LEVEL);

const started = startStreamProcessor(config, logger);
// A signal during the start stops the processor once it runs.
onShutdown({ logger, timeoutMs: config.STREAM_SHUTDOWN_TIMEOUT_MS, stop: async () => (await started).stop() });
try {
  await started;
} catch (err) {
  logger.error({ err: (err as Error).message }, "stream processor failed to start");
  process.exit(1);
}
