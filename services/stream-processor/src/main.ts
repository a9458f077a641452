#!/usr/bin/env node
// stream-processor: consumes the bar topics in one consumer group and writes enriched bars to MongoDB.
// Exit codes: 0 stopped by SIGTERM/SIGINT after the batch in flight; 1 failed or shutdown timed out;
// 2 bad configuration; 130 second signal (forced).
import { createLogger, loadConfigOrExit, runUntilSignal } from "@quant/core";
import { streamEnv } from "./config.ts";
import { startStreamProcessor } from "./run.ts";

const config = loadConfigOrExit(streamEnv);
const logger = createLogger("stream-processor", config.LOG_LEVEL);
await runUntilSignal({
  name: "stream processor",
  logger,
  timeoutMs: config.STREAM_SHUTDOWN_TIMEOUT_MS,
  start: () => startStreamProcessor(config, logger),
});
