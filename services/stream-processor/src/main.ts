#!/usr/bin/env node
// stream-processor: consumes the bar topics in one consumer group and writes enriched bars to MongoDB.
// Exit codes: 0 stopped by SIGTERM/SIGINT after the batch in flight; 1 failed or shutdown timed out;
// 2 bad configuration; 130 second signal (forced).
import { createLogger, loadConfigOrExit } from "@quant/core";
import { streamEnv } from "./config.ts";
import { startStreamProcessor } from "./run.ts";

const config = loadConfigOrExit(streamEnv);
const logger = createLogger("stream-processor", config.LOG_LEVEL);

let app: Awaited<ReturnType<typeof startStreamProcessor>> | undefined;
let stopping = false;

function shutdown(signal: NodeJS.Signals): void {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting without waiting");
    process.exit(130);
  }
  stopping = true;
  logger.info({ signal }, "stopping: finishing the batch in flight");
  // A stalled write or broker must not keep the process (and its partitions) hostage.
  setTimeout(() => {
    logger.error({ timeoutMs: config.STREAM_SHUTDOWN_TIMEOUT_MS }, "shutdown timed out: exiting");
    process.exit(1);
  }, config.STREAM_SHUTDOWN_TIMEOUT_MS).unref();
  (app?.stop() ?? Promise.resolve()).then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err: (err as Error).message }, "shutdown failed");
      process.exit(1);
    },
  );
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

try {
  app = await startStreamProcessor(config, logger);
  if (stopping) await app.stop().then(() => process.exit(0));
} catch (err) {
  logger.error({ err: (err as Error).message }, "stream processor failed to start");
  process.exit(1);
}
