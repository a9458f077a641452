#!/usr/bin/env node
// batch --date YYYY-MM-DD | --from D --to D  [--asset-type equities|crypto|bonds] [--symbols A,B] [--interval 1d]
// Exit codes: 0 done, 1 failed, 2 bad arguments or configuration.
import { connectMongo, createLogger, createObjectStore, loadConfigOrExit } from "@quant/core";
import { parseRangeArgs, UsageError } from "./args.ts";
import { runBatch } from "./batch.ts";
import { batchEnv } from "./config.ts";
import { createProgress } from "./progress.ts";

const USAGE =
  "usage: batch (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) [--asset-type equities|crypto|bonds] [--symbols A,B] [--interval 1m|5m|1d]";
let req: ReturnType<typeof parseRangeArgs>;
try {
  req = parseRangeArgs(process.argv.slice(2), USAGE);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const config = loadConfigOrExit(batchEnv);
const logger = createLogger("batch-processor", config.LOG_LEVEL);
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
const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger).catch((err: Error) => {
  process.stderr.write(`batch failed: MongoDB: ${err.message}\n`);
  process.exit(1);
});
try {
  const started = Date.now();
  const s = await runBatch(req, { store, mongo, logger, progress: (n) => createProgress(n, "batch") });
  process.stdout.write(
    `batch ${req.from}..${req.to}: ${s.series} series, ${s.documents} documents (${s.rollups} rollups; ${s.inserted} new, ${s.unchanged} unchanged), ${s.rejected} bars refused, ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  code = 0;
} catch (err) {
  logger.error({ err: (err as Error).message }, "batch failed");
  process.stderr.write(`batch failed: ${(err as Error).message}\n`);
} finally {
  await mongo.close();
}
process.exit(code);
