#!/usr/bin/env node
// cross-asset --from YYYY-MM-DD --to YYYY-MM-DD [--benchmark ^GSPC] [--correlation-period 30] [--beta-period 20]
//             [--json FILE]
// Exit codes: 0 done, 1 failed, 2 bad arguments or configuration.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { connectMongo, createLogger, loadConfigOrExit, logEnv, mongoEnv } from "@quant/core";
import { runCrossAsset } from "./cross-asset.ts";

const USAGE =
  "usage: cross-asset --from YYYY-MM-DD --to YYYY-MM-DD [--benchmark ^GSPC] [--correlation-period 30] [--beta-period 20] [--json FILE]";
let v: Record<string, string | undefined>;
try {
  v = parseArgs({
    options: {
      from: { type: "string" },
      to: { type: "string" },
      benchmark: { type: "string" },
      "correlation-period": { type: "string" },
      "beta-period": { type: "string" },
      json: { type: "string" },
    },
  }).values;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const DATE = /^\d{4}-\d{2}-\d{2}$/;
if (!v.from || !v.to || !DATE.test(v.from) || !DATE.test(v.to)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const config = loadConfigOrExit({ ...logEnv, ...mongoEnv });
const logger = createLogger("cross-asset", config.LOG_LEVEL);
const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
let code = 1;
try {
  const s = await runCrossAsset(mongo, {
    from: v.from,
    to: v.to,
    benchmark: v.benchmark ?? "^GSPC",
    correlationPeriod: Number(v["correlation-period"] ?? 30),
    betaPeriod: Number(v["beta-period"] ?? 20),
  });
  process.stdout.write(`cross-asset ${v.from}..${v.to}: ${s.series.length} series, ${s.documents} documents\n`);
  // The run's result for callers such as pnpm start (the series written and their documents).
  if (v.json) writeFileSync(v.json, `${JSON.stringify({ from: v.from, to: v.to, ...s })}\n`);
  code = 0;
} catch (err) {
  process.stderr.write(`cross-asset failed: ${(err as Error).message}\n`);
} finally {
  await mongo.close();
}
process.exit(code);
