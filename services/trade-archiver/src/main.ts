#!/usr/bin/env node
// trade-archiver: the trades topic -> the trade lake (Parquet, ZSTD; docs/trades.md). Exit codes: 0 stopped by
// SIGTERM/SIGINT after writing everything buffered; 1 failed or shutdown timed out; 2 bad configuration; 130 second
// signal (forced).
import { createLogger, loadConfigOrExit, runUntilSignal } from "@quant/core";
import { archiverEnv } from "./config.ts";
import { startTradeArchiver } from "./run.ts";

const config = loadConfigOrExit(archiverEnv);
const logger = createLogger("trade-archiver", config.LOG_LEVEL);
await runUntilSignal({
  name: "trade archiver",
  logger,
  timeoutMs: config.ARCHIVER_SHUTDOWN_TIMEOUT_MS,
  start: () => startTradeArchiver(config, logger),
});
