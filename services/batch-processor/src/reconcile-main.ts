#!/usr/bin/env node
// reconcile (--from D --to D | --date D | --trading-day-before D) [--asset-type …] [--symbols …] [--interval …]:
// stream-written documents vs the batch computation from the lake. The differences per series are pushed to the
// Pushgateway (PUSHGATEWAY_URL, job `reconcile`) when set. Exit codes: 0 no difference, 1 differences (or
// failure), 2 bad arguments.
import { writeFileSync } from "node:fs";
import { connectMongo, createMetricsRegistry, pushJobMetrics } from "@quant/core";
import { openRangeCommand } from "./cli.ts";
import { recordReconcileRun } from "./metrics.ts";
import { reportLines, runReconcile } from "./reconcile.ts";

const { req, config, logger, deps } = openRangeCommand("reconcile", "reconcile");
let code = 1;
try {
  const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
  try {
    const started = Date.now();
    const report = await runReconcile(req, deps(mongo));
    const metrics = createMetricsRegistry({ service: "reconcile", processMetrics: false });
    recordReconcileRun(metrics, report, (Date.now() - started) / 1_000);
    await pushJobMetrics(config.PUSHGATEWAY_URL, "reconcile", metrics.registry, logger, req.assetClasses.join(","));
    process.stdout.write(`${reportLines(report).join("\n")}\n`);
    if (req.json)
      writeFileSync(
        req.json,
        `${JSON.stringify({ series: report.series, compared: report.compared, differences: report.differences.length, sample: report.differences.slice(0, 20) })}\n`,
      );
    code = report.differences.length === 0 ? 0 : 1;
  } finally {
    await mongo.close();
  }
} catch (err) {
  process.stderr.write(`reconcile failed: ${(err as Error).message}\n`);
}
process.exit(code);
