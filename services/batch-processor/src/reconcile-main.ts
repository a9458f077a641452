#!/usr/bin/env node
// reconcile --from D --to D [--asset-type …] [--symbols …] [--interval …]: stream-written documents vs the batch
// computation from the lake. Exit codes: 0 no difference, 1 differences (or failure), 2 bad arguments.
import { connectMongo, createLogger, createObjectStore, loadConfigOrExit } from "@quant/core";
import { parseRangeArgs, UsageError } from "./args.ts";
import { batchEnv } from "./config.ts";
import { createProgress } from "./progress.ts";
import { reportLines, runReconcile } from "./reconcile.ts";

const USAGE =
  "usage: reconcile (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) [--asset-type equities|crypto|bonds] [--symbols A,B] [--interval 1m|5m|1d]";
let req: ReturnType<typeof parseRangeArgs>;
try {
  req = parseRangeArgs(process.argv.slice(2), USAGE);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const config = loadConfigOrExit(batchEnv);
const logger = createLogger("reconcile", config.LOG_LEVEL);
const store = createObjectStore(
  {
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  },
  logger,
);
let code = 1;
try {
  const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
  try {
    const report = await runReconcile(req, { store, mongo, logger, progress: (n) => createProgress(n, "reconcile") });
    process.stdout.write(`${reportLines(report).join("\n")}\n`);
    code = report.differences.length === 0 ? 0 : 1;
  } finally {
    await mongo.close();
  }
} catch (err) {
  process.stderr.write(`reconcile failed: ${(err as Error).message}\n`);
}
process.exit(code);
