#!/usr/bin/env node
// quality [--from D --to D] [--symbols A,B] [--json FILE]: the data-quality report of a date range (default: the
// seven days up to the latest day with quality rows), one line per series, worst first. Exit codes: 0 report
// printed, 1 failure, 2 bad arguments or configuration.
import { writeFileSync } from "node:fs";
import {
  commandLineOrExit,
  connectMongo,
  createLogger,
  latestQualityDate,
  loadConfigOrExit,
  logEnv,
  mongoEnv,
  qualityRows,
  summarizeQualityRows,
} from "@quant/core";
import { parseQualityArgs, QUALITY_USAGE, qualityTable } from "./quality-report.ts";

// The arguments checked before anything connects (the range's default end needs the store).
commandLineOrExit(parseQualityArgs, QUALITY_USAGE, { usageOnError: true });
const config = loadConfigOrExit({ ...logEnv, ...mongoEnv });
const logger = createLogger("quality", config.LOG_LEVEL);
let code = 1;
try {
  const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
  try {
    // Without --to: up to the latest day with rows (a store of replayed history has none this week).
    const req = parseQualityArgs(process.argv.slice(2), (await latestQualityDate(mongo.db)) ?? undefined);
    const series = summarizeQualityRows(await qualityRows(mongo.db, req).toArray());
    process.stdout.write(`${qualityTable(req, series).join("\n")}\n`);
    if (req.json) writeFileSync(req.json, `${JSON.stringify({ from: req.from, to: req.to, series }, null, 2)}\n`);
    code = 0;
  } finally {
    await mongo.close();
  }
} catch (err) {
  process.stderr.write(`quality failed: ${(err as Error).message}\n`);
}
process.exit(code);
