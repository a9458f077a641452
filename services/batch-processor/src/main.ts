#!/usr/bin/env node
// batch --date YYYY-MM-DD | --from D --to D  [--asset-type equities|crypto|bonds] [--symbols A,B] [--interval 1d]
// Exit codes: 0 done, 1 failed, 2 bad arguments or configuration.
import { writeFileSync } from "node:fs";
import { connectMongo, createMetricsRegistry, observeStoreWrites, pushJobMetrics } from "@quant/core";
import { runBatch } from "./batch.ts";
import { openRangeCommand } from "./cli.ts";
import { recordBatchRun } from "./metrics.ts";

const { req, config, logger, deps } = openRangeCommand("batch", "batch-processor");
let code = 1;
const metrics = createMetricsRegistry({ service: "batch-processor", processMetrics: false });
const mongo = await connectMongo(
  { uri: config.MONGODB_URI, dbName: config.MONGODB_DB, monitorCommands: true },
  logger,
).catch((err: Error) => {
  process.stderr.write(`batch failed: MongoDB: ${err.message}\n`);
  process.exit(1);
});
observeStoreWrites(mongo.client, metrics.writeSeconds);
try {
  const started = Date.now();
  const s = await runBatch(req, deps(mongo));
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `batch ${req.from}..${req.to}: ${s.series} series, ${s.documents} documents (${s.rollups} rollups; ${s.inserted} new, ${s.unchanged} unchanged), ${s.rejected} bars refused; ${s.tradeSeries} trade series (${s.candles} candles written), ${seconds.toFixed(1)} s\n`,
  );
  if (req.json) writeFileSync(req.json, `${JSON.stringify({ from: req.from, to: req.to, ...s, seconds })}\n`);
  recordBatchRun(metrics, s, (Date.now() - started) / 1_000);
  // One Pushgateway group per asset-class selection: a run replaces only the previous push of the same selection.
  await pushJobMetrics(config.PUSHGATEWAY_URL, "batch", metrics.registry, logger, req.assetClasses.join(","));
  code = 0;
} catch (err) {
  logger.error({ err: (err as Error).message }, "batch failed");
  process.stderr.write(`batch failed: ${(err as Error).message}\n`);
} finally {
  await mongo.close();
}
process.exit(code);
