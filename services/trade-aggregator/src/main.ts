#!/usr/bin/env node
// candle aggregator: consumes the trades topic in one consumer group and writes candles to MongoDB (docs/trades.md).
// Exit codes: 0 stopped by SIGTERM/SIGINT after the batch in flight and its outputs; 1 failed or shutdown timed out;
// 2 bad configuration; 130 second signal (forced).
import { createLogger, loadConfigOrExit } from "@quant/core";
import { aggregatorEnv } from "./config.ts";
import { type RunningAggregator, startCandleAggregator } from "./run.ts";

const config = loadConfigOrExit(aggregatorEnv);
const logger = createLogger("trade-aggregator", config.LOG_LEVEL);

let app: RunningAggregator | undefined;
let stopping = false;

function shutdown(signal: NodeJS.Signals): void {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting without waiting");
    process.exit(130);
  }
  stopping = true;
  logger.info({ signal }, "stopping: finishing the batch in flight and its outputs");
  setTimeout(() => {
    logger.error({ timeoutMs: config.TRADES_SHUTDOWN_TIMEOUT_MS }, "shutdown timed out: exiting");
    process.exit(1);
  }, config.TRADES_SHUTDOWN_TIMEOUT_MS).unref();
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
  app = await startCandleAggregator(config, logger);
  if (stopping) await app.stop().then(() => process.exit(0));
} catch (err) {
  logger.error({ err: (err as Error).message }, "candle aggregator failed to start");
  process.exit(1);
}
