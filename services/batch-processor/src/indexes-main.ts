#!/usr/bin/env node
// indexes [--ensure] [--verify] [--analyze] [--add-ttl --ttl-days N]
// Exit codes: 0 ok; 1 an index is missing or a canonical query does not use its index (MongoDB); 2 bad arguments
// or configuration; 3 TTL requested on a server without TTL indexes (FerretDB).
import { parseArgs } from "node:util";
import { connectMongo, createLogger, ensureIndexes, loadConfigOrExit, logEnv, mongoEnv } from "@quant/core";
import { addIntradayTtl, analyzeQueries, INDEX_EXIT, verifyIndexes } from "./indexes.ts";

const USAGE = "usage: indexes [--ensure] [--verify] [--analyze] [--add-ttl --ttl-days N]";
let opts: { ensure?: boolean; verify?: boolean; analyze?: boolean; "add-ttl"?: boolean; "ttl-days"?: string };
try {
  opts = parseArgs({
    args: process.argv.slice(2),
    options: {
      ensure: { type: "boolean" },
      verify: { type: "boolean" },
      analyze: { type: "boolean" },
      "add-ttl": { type: "boolean" },
      "ttl-days": { type: "string" },
    },
  }).values;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(INDEX_EXIT.usage);
}
const ttlDays = opts["ttl-days"] === undefined ? undefined : Number(opts["ttl-days"]);
if (opts["add-ttl"] && !(ttlDays !== undefined && ttlDays > 0)) {
  process.stderr.write(`--add-ttl needs --ttl-days N (N > 0)\n${USAGE}\n`);
  process.exit(INDEX_EXIT.usage);
}
if (!opts.ensure && !opts.verify && !opts.analyze && !opts["add-ttl"]) opts.verify = true;

const config = loadConfigOrExit({ ...logEnv, ...mongoEnv });
const logger = createLogger("indexes", config.LOG_LEVEL);
const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
const out = (s: string) => process.stdout.write(`${s}\n`);
let code: number = INDEX_EXIT.ok;
try {
  const health = await mongo.health();
  out(`server: ${health.ferretdb ? "FerretDB" : "MongoDB"} ${health.version ?? "?"}, database ${config.MONGODB_DB}`);
  if (opts.ensure) out(`ensured: ${(await ensureIndexes(mongo.db)).join(", ")}`);
  if (opts.verify) {
    const v = await verifyIndexes(mongo);
    for (const m of v.missing) out(`MISSING   ${m}`);
    for (const m of v.mismatched) out(`DIFFERENT ${m}`);
    if (v.missing.length + v.mismatched.length === 0) out("verify: every expected index exists");
    else code = INDEX_EXIT.failed;
  }
  if (opts.analyze) {
    for (const a of await analyzeQueries(mongo)) {
      const verdict = a.server === "ferretdb" ? "n/a" : a.ok ? "OK" : "NOT USING INDEX";
      out(
        `${a.query.padEnd(16)} expected=${a.expected ?? "-"} used=${a.used.join(",") || "-"} scan=${a.collectionScan} ${verdict}`,
      );
      for (const line of a.summary) out(`    ${line}`);
      if (!a.ok) code = INDEX_EXIT.failed;
    }
    if (health.ferretdb)
      out(
        "note: FerretDB's SQLite backend plans these filters as table scans (no pushdown); the verdicts apply on MongoDB.",
      );
  }
  if (opts["add-ttl"]) {
    const r = await addIntradayTtl(mongo, ttlDays!);
    if (r.ok) out(`ttl: bars_intraday.ts_ttl ${r.change} (${ttlDays} days)`);
    else {
      process.stderr.write(`ttl: ${r.reason}\n`);
      code = INDEX_EXIT.ttlUnsupported;
    }
  }
} finally {
  await mongo.close();
}
process.exit(code);
