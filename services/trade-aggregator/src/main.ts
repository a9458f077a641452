#!/usr/bin/env node
// trade-aggregator: consumes the trades topic in one consumer group and writes candles to MongoDB (docs/trades.md).
// Exit codes: 0 stopped by SIGTERM/SIGINT after the batch in flight, its outputs and the window states; 1 failed or
// shutdown timed out; 2 bad configuration; 130 second signal (forced).
import { createLogger, loadConfigOrExit, runUntilSignal } from "@quant/core";
import { aggregatorEnv } from "./config.ts";
import { startCandleAggregator } from "./run.ts";

const config = loadConfigOrExit(aggregatorEnv);
const logger = createLogger("trade-aggregator", config.LOG_LEVEL);
await runUntilSignal({
  name: "candle aggregator",
  logger,
  timeoutMs: config.TRADES_SHUTDOWN_TIMEOUT_MS,
  start: () => startCandleAggregator(config, logger),
});
