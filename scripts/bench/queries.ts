// `pnpm bench`: times the API's serving queries on a dataset of N enriched bars.
//
//   pnpm bench [--docs N] [--reuse] [--json FILE] [--reps R] [--budget-ms MS] [--warmup W] [--db NAME] [--load-only]
//              [--only latestBarEverySymbol,lastBars,dateRange,yieldCurveSlope,topMovers]
//   pnpm bench --api URL [--json FILE] [--reps R] [--budget-ms MS]
//
// With --api, the dashboard's HTTP endpoints are timed on a running API instead (endpoints.ts): e.g. on the data of
// the default `pnpm start` run, `pnpm bench --api http://127.0.0.1:8000`.
//
// The dataset is loaded through the processors' own write path: synthetic bars (@quant/synthetic) -> the stream's
// enrichSeries (BarIndicators with the options of the asset class and interval) -> toBarDocument -> upsertBars
// (insert-first on FerretDB, as the processors do), into a dedicated database (default quant_bench). With --reuse,
// a marker document holding the dataset's parameters skips the load when they match.
//
// Each query gets W warm-up runs, then up to R timed runs within MS milliseconds (at least 3), and one explain:
// executionStats where the server reports them (MongoDB), the SQLite plan and pushdown flags otherwise (FerretDB v1).
// MONGODB_URI defaults to the native stack (`pnpm stack env`).
import { writeFileSync } from "node:fs";
import { cpus, hostname, loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  barsCollection,
  barsRangeCursor,
  COLLECTIONS,
  type CrossAssetDocument,
  connectMongo,
  createLogger,
  crossAssetCollection,
  crossAssetCursor,
  crossAssetSeries,
  ensureIndexes,
  epochMsToDate,
  explainCursor,
  type Interval,
  lastBarsCursor,
  latestBarCursor,
  type QueryStats,
  type SeriesKey,
  topMoversCursor,
  universeSeries,
  upsertBars,
} from "@quant/core";
import { nearestRank as percentile } from "@quant/core/bench";
import { enrichSeries } from "@quant/enrich";
import { SyntheticMarket } from "@quant/synthetic";
import type { Db, Document, FindCursor } from "mongodb";
import { benchEndpoints } from "./endpoints.ts";

export { percentile };

const DATASET_VERSION = 1;
const SEED = 42;
const MARKER_COLLECTION = "bench_meta";
const DAILY_CAP = 6_000;
const DAILY_FROM = "2000-01-03";
const INTRADAY_FROM = "2024-01-02";
const WRITE_CHUNK = 1_000;

export type BenchSeries = ReturnType<typeof universeSeries>[number];

/** Bars per series for N documents: daily series capped at DAILY_CAP (about 24 years), the rest intraday. */
export function datasetPlan(docs: number): { series: BenchSeries; count: number }[] {
  const all = universeSeries();
  const daily = all.filter((s) => s.interval === "1d");
  const intraday = all.filter((s) => s.interval !== "1d");
  const perDaily = Math.min(Math.floor(docs / all.length), DAILY_CAP);
  const rest = docs - perDaily * daily.length;
  const perIntraday = Math.floor(rest / intraday.length);
  const extra = rest - perIntraday * intraday.length;
  return [
    ...daily.map((series) => ({ series, count: perDaily })),
    ...intraday.map((series, i) => ({ series, count: perIntraday + (i < extra ? 1 : 0) })),
  ];
}

interface Marker {
  _id: "dataset";
  version: number;
  docs: number;
  seed: number;
  loaded: number;
  loadSeconds: number;
  /** Documents per collection as loaded (FerretDB counts by scanning: minutes at 1M). */
  counts?: Record<string, number>;
  args: BenchArgs;
}

interface BenchArgs {
  lastBars: SeriesKey;
  range: SeriesKey & { from: string; to: string };
  slope: { series: string; from: string; to: string };
  moversDate: string;
}

const say = (s: string) => process.stderr.write(`bench: ${s}\n`);

async function loadDataset(db: Db, docs: number): Promise<Marker> {
  await db.dropDatabase();
  await ensureIndexes(db);
  const market = new SyntheticMarket({ seed: SEED });
  const processedTs = new Date();
  const closes = new Map<string, Map<number, number>>();
  const lastTs = new Map<string, Date>();
  let loaded = 0;
  const counts: Record<string, number> = {};
  const t0 = performance.now();
  for (const { series, count } of datasetPlan(docs)) {
    const bars = market
      .series({
        symbols: [series.symbol],
        assetClass: series.assetClass,
        interval: series.interval,
        count,
        from: series.interval === "1d" ? DAILY_FROM : INTRADAY_FROM,
      })
      .get(series.symbol)!;
    const enriched = enrichSeries(bars, processedTs).docs;
    const coll = barsCollection(db, series.interval);
    for (let i = 0; i < enriched.length; i += WRITE_CHUNK)
      await upsertBars(coll, enriched.slice(i, i + WRITE_CHUNK), { insertFirst: true });
    loaded += enriched.length;
    counts[coll.collectionName] = (counts[coll.collectionName] ?? 0) + enriched.length;
    if (series.assetClass === "bond")
      closes.set(series.symbol, new Map(enriched.map((d) => [d.ts.getTime(), d.close])));
    const last = enriched.at(-1);
    if (last) lastTs.set(`${series.symbol}|${series.interval}`, last.ts);
    const s = (performance.now() - t0) / 1000;
    say(`${series.symbol} ${series.interval}: ${enriched.length} docs (${loaded} total, ${Math.round(loaded / s)}/s)`);
  }
  // The yield-curve slope ^TNX - ^IRX (no processor writes cross-asset series yet: plain inserts into the fresh db).
  const slope = crossAssetSeries("slope", "^TNX", "^IRX", "1d");
  const tnx = closes.get("^TNX") ?? new Map<number, number>();
  const irx = closes.get("^IRX") ?? new Map<number, number>();
  const slopeDocs: CrossAssetDocument[] = [...tnx]
    .filter(([ts]) => irx.has(ts))
    .map(([ts, c]) => ({
      _id: `${slope}|${new Date(ts).toISOString()}`,
      series: slope,
      kind: "slope",
      interval: "1d",
      a: "^TNX",
      b: "^IRX",
      ts: new Date(ts),
      value: c - irx.get(ts)!,
      processedTs,
    }));
  for (let i = 0; i < slopeDocs.length; i += WRITE_CHUNK)
    await crossAssetCollection(db).insertMany(slopeDocs.slice(i, i + WRITE_CHUNK), { ordered: false });
  const loadSeconds = (performance.now() - t0) / 1000;
  counts[COLLECTIONS.crossAsset] = slopeDocs.length;

  const dailyEnd = lastTs.get("AAPL|1d") ?? new Date();
  const intradayEnd = lastTs.get("BTC-USD|1m") ?? new Date();
  const iso = (d: Date) => d.toISOString();
  const day = 86_400_000;
  const args: BenchArgs = {
    lastBars: { symbol: "BTC-USD", interval: "1m" },
    // One week of 5-minute bars of AAPL (~390 bars).
    range: {
      symbol: "AAPL",
      interval: "5m",
      from: iso(new Date((lastTs.get("AAPL|5m") ?? intradayEnd).getTime() - 7 * day)),
      to: iso(lastTs.get("AAPL|5m") ?? intradayEnd),
    },
    slope: { series: slope, from: iso(new Date(dailyEnd.getTime() - 365 * day)), to: iso(dailyEnd) },
    moversDate: epochMsToDate(dailyEnd.getTime()),
  };
  const marker: Marker = {
    _id: "dataset",
    version: DATASET_VERSION,
    docs,
    seed: SEED,
    loaded,
    loadSeconds,
    counts,
    args,
  };
  await db.collection<Marker>(MARKER_COLLECTION).insertOne(marker);
  return marker;
}

interface QueryDef {
  name: string;
  description: string;
  /** The cursors of one run (several run in parallel). */
  cursors(db: Db, a: BenchArgs): FindCursor<Document>[];
}

function primarySeries(): SeriesKey[] {
  // Per symbol: its daily series where it has one, else its finest intraday series.
  const bySymbol = new Map<string, SeriesKey>();
  const order: Interval[] = ["1d", "1m", "5m", "15m", "1h"];
  for (const s of universeSeries()) {
    const cur = bySymbol.get(s.symbol);
    if (!cur || order.indexOf(s.interval) < order.indexOf(cur.interval)) bySymbol.set(s.symbol, s);
  }
  return [...bySymbol.values()];
}

const QUERIES: QueryDef[] = [
  {
    name: "latestBarEverySymbol",
    description: `latest bar of each of the ${primarySeries().length} universe symbols (one indexed find per symbol, in parallel)`,
    cursors: (db) => primarySeries().map((s) => latestBarCursor(db, s)),
  },
  {
    name: "lastBars",
    description: "last 500 bars with metrics of one symbol and interval",
    cursors: (db, a) => [lastBarsCursor(db, a.lastBars, 500)],
  },
  {
    name: "dateRange",
    description: "one week of 5-minute bars of one symbol",
    cursors: (db, a) => [barsRangeCursor(db, a.range, new Date(a.range.from), new Date(a.range.to), 10_000)],
  },
  {
    name: "yieldCurveSlope",
    description: "one year of the ^TNX-^IRX slope series",
    cursors: (db, a) => [crossAssetCursor(db, a.slope.series, new Date(a.slope.from), new Date(a.slope.to), 10_000)],
  },
  {
    name: "topMovers",
    description: "top 10 movers by one-day return on a date",
    cursors: (db, a) => [topMoversCursor(db, a.moversDate, 10)],
  },
];

interface QueryResult {
  name: string;
  description: string;
  runs: number;
  returned: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  explain: {
    server: string;
    indexes: string[];
    collectionScan: boolean;
    keysExamined: number | null;
    docsExamined: number | null;
    returned: number | null;
    pushdown: QueryStats["pushdown"];
    plan: string[];
  };
}

async function timeQuery(
  db: Db,
  q: QueryDef,
  a: BenchArgs,
  o: { reps: number; budgetMs: number; warmup: number },
): Promise<QueryResult> {
  const run = async () => (await Promise.all(q.cursors(db, a).map((c) => c.toArray()))).flat().length;
  let returned = 0;
  // Warm-up: W runs, cut short when a run is slow (a collection scan on FerretDB takes seconds).
  const warmStart = performance.now();
  for (let i = 0; i < o.warmup && performance.now() - warmStart < o.budgetMs / 4; i++) returned = await run();
  const samples: number[] = [];
  const start = performance.now();
  // At least 3 runs unless one run alone exceeds the budget.
  while (
    samples.length < o.reps &&
    (performance.now() - start < o.budgetMs || (samples.length < 3 && (samples[0] ?? 0) < o.budgetMs))
  ) {
    const t = performance.now();
    returned = await run();
    samples.push(performance.now() - t);
  }
  samples.sort((x, y) => x - y);
  const stats = await Promise.all(q.cursors(db, a).map((c) => explainCursor(c)));
  const sum = (f: (s: QueryStats) => number | null) =>
    stats.every((s) => f(s) !== null) ? stats.reduce((acc, s) => acc + f(s)!, 0) : null;
  const first = stats[0]!;
  return {
    name: q.name,
    description: q.description,
    runs: samples.length,
    returned,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.at(-1) ?? Number.NaN,
    explain: {
      server: first.server,
      indexes: [...new Set(stats.flatMap((s) => s.indexes))],
      collectionScan: stats.some((s) => s.collectionScan),
      keysExamined: sum((s) => s.keysExamined),
      docsExamined: sum((s) => s.docsExamined),
      returned: sum((s) => s.returned),
      pushdown: first.pushdown,
      plan: first.plan,
    },
  };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0));
/** The p50, p95 and p99 columns of a timing. */
const percentileCells = (t: { p50: number; p95: number; p99: number }) => [fmt(t.p50), fmt(t.p95), fmt(t.p99)];

/** Rows on stdout as columns padded to their widest cell, two spaces apart. */
function writeTable(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ")}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      docs: { type: "string", default: "1000000" },
      reuse: { type: "boolean", default: false },
      json: { type: "string" },
      reps: { type: "string", default: "1000" },
      "budget-ms": { type: "string", default: "20000" },
      warmup: { type: "string", default: "5" },
      db: { type: "string", default: "quant_bench" },
      "load-only": { type: "boolean", default: false },
      only: { type: "string" },
      api: { type: "string" },
      "plan-from": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: pnpm bench [--docs N (1000000)] [--reuse] [--json FILE] [--reps R (1000)] [--budget-ms MS (20000)] [--warmup W (5)] [--db NAME (quant_bench)] [--load-only] [--only Q1,Q2]\n" +
        "       pnpm bench --api URL [--plan-from URL] [--json FILE] [--reps R] [--budget-ms MS]   (the dashboard's endpoints on a running API)\n",
    );
    return;
  }
  const docs = Number(values.docs);
  const reps = Number(values.reps);
  const budgetMs = Number(values["budget-ms"]);
  const warmup = Number(values.warmup);
  if (![docs, reps, budgetMs, warmup].every((n) => Number.isInteger(n) && n >= 0) || docs < 1_000) {
    process.stderr.write("bench: --docs (>= 1000), --reps, --budget-ms and --warmup take non-negative integers\n");
    process.exitCode = 2;
    return;
  }
  if (values.api) {
    await endpointBench(values.api.replace(/\/$/, ""), {
      reps,
      budgetMs,
      json: values.json,
      planFrom: values["plan-from"]?.replace(/\/$/, ""),
    });
    return;
  }
  const only = values.only?.split(",").map((x) => x.trim());
  const unknown = only?.filter((n) => !QUERIES.some((q) => q.name === n)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`bench: --only: unknown ${unknown.join(", ")} (${QUERIES.map((q) => q.name).join(", ")})\n`);
    process.exitCode = 2;
    return;
  }
  const uri = process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017/";
  const mongo = await connectMongo({ uri, dbName: values.db }, createLogger("bench", "warn"));
  try {
    const health = await mongo.health();
    const existing = await mongo.db.collection<Marker>(MARKER_COLLECTION).findOne({ _id: "dataset" });
    let marker: Marker;
    let reused = false;
    if (
      values.reuse &&
      existing &&
      existing.version === DATASET_VERSION &&
      existing.docs === docs &&
      existing.seed === SEED
    ) {
      marker = existing;
      reused = true;
      say(`reusing ${values.db}: ${marker.loaded} documents (loaded in ${marker.loadSeconds.toFixed(0)} s)`);
    } else {
      say(
        `loading ${docs} documents into ${values.db} (${health.ferretdb ? "FerretDB" : "MongoDB"} ${health.version})`,
      );
      marker = await loadDataset(mongo.db, docs);
      say(`loaded ${marker.loaded} documents in ${marker.loadSeconds.toFixed(1)} s`);
    }
    const counts = marker.counts ?? {
      [COLLECTIONS.barsDaily]: await barsCollection(mongo.db, "1d").estimatedDocumentCount(),
      [COLLECTIONS.barsIntraday]: await barsCollection(mongo.db, "1m").estimatedDocumentCount(),
      [COLLECTIONS.crossAsset]: await crossAssetCollection(mongo.db).estimatedDocumentCount(),
    };
    const results: QueryResult[] = [];
    const selected = values["load-only"] ? [] : QUERIES.filter((q) => !only || only.includes(q.name));
    for (const q of selected) {
      say(`timing ${q.name}`);
      results.push(await timeQuery(mongo.db, q, marker.args, { reps, budgetMs, warmup }));
    }
    const rows = [
      ["query", "runs", "rows", "p50 ms", "p95 ms", "p99 ms", "index", "examined/returned"],
      ...results.map((r) => [
        r.name,
        String(r.runs),
        String(r.returned),
        ...percentileCells(r),
        r.explain.indexes.join(",") || (r.explain.collectionScan ? "SCAN (none)" : "-"),
        r.explain.docsExamined !== null
          ? `${r.explain.docsExamined}/${r.explain.returned} (keys ${r.explain.keysExamined})`
          : `n/a (${r.explain.server}: filter pushdown ${r.explain.pushdown?.filter ?? "?"})`,
      ]),
    ];
    process.stdout.write(
      `dataset: ${marker.loaded} documents (${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ", ",
        )}), load ${marker.loadSeconds.toFixed(1)} s = ${Math.round(marker.loaded / marker.loadSeconds)} docs/s${reused ? " (reused)" : ""}\n`,
    );
    process.stdout.write(
      `server: ${health.ferretdb ? "FerretDB" : "MongoDB"} ${health.version}; ${cpus().length} cores; ${hostname()}\n`,
    );
    writeTable(rows);
    if (values.json) {
      const report = {
        date: new Date().toISOString(),
        machine: { hostname: hostname(), cores: cpus().length, cpu: cpus()[0]?.model ?? "?" },
        server: { ferretdb: health.ferretdb, version: health.version },
        dataset: { docs, loaded: marker.loaded, loadSeconds: marker.loadSeconds, reused, counts, args: marker.args },
        results,
      };
      writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
      say(`wrote ${values.json}`);
    }
  } finally {
    await mongo.close();
  }
}

async function endpointBench(
  base: string,
  o: { reps: number; budgetMs: number; json?: string; planFrom?: string },
): Promise<void> {
  const results = await benchEndpoints(base, { reps: o.reps, budgetMs: o.budgetMs, say, planFrom: o.planFrom });
  const rows = [
    ["endpoint", "status", "runs", "cold ms", "p50 ms", "p95 ms", "p99 ms", "bytes"],
    ...results.map((r) => [
      r.name,
      String(r.status),
      String(r.runs),
      fmt(r.coldMs),
      ...percentileCells(r),
      String(r.bytes),
    ]),
  ];
  process.stdout.write(
    `API ${base}; ${cpus().length} cores; ${hostname()}; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}\n`,
  );
  writeTable(rows);
  if (o.json) {
    const report = {
      date: new Date().toISOString(),
      machine: { hostname: hostname(), cores: cpus().length, cpu: cpus()[0]?.model ?? "?", loadavg: loadavg() },
      api: base,
      results,
    };
    writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    say(`wrote ${o.json}`);
  }
}

if (import.meta.main) await main();
