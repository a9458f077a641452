#!/usr/bin/env node
// trade-aggregator: consumes the trades topic in one consumer group and writes candles to MongoDB (docs/trades.md).
// Exit codes: 0 stopped by SIGTERM/SIGINT after the batch in flight, its outputs and the window states; 1 failed or
// shutdown timed out; 2 bad configuration; 130 second signal (forced).
import { createLogger, loadConfigOrExit, onShutdown } from "@quant/core";
import { aggregatorEnv } from "./config.ts";
import { startCandleAggregator } from "./run.ts";

const config = loadConfigOrExit(aggregatorEnv);
const logger = createLogger("trade-aggregator", config.LOG_LEVEL);

const started = startCandleAggregator(config, logger);
// A signal during the start stops the aggregator once it runs.
onShutdown({ logger, timeoutMs: config.TRADES_SHUTDOWN_TIMEOUT_MS, stop: async () => (await started).stop() });
try {
  await started;
} catch (err) {
  logger.error({ err: (err as Error).message }, "candle aggregator failed to start");
  process.exit(1);
}
