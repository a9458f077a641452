// What `pnpm start` reports once the pipeline has run: bars per topic (Kafka offsets), documents per collection,
// dead letters, reconcile differences, batch results, and where to look. Collection is separate from formatting,
// so the table is testable without servers.
import { readFileSync } from "node:fs";
import {
  checkpointsCollection,
  connectMongo,
  createKafkaStats,
  createLogger,
  type KafkaStatsReader,
  type MongoHandle,
  type PipelineStats,
  readCrossAssetSeries,
  readLatestBars,
  rollupCollection,
} from "@quant/core";
import { readLogTail } from "../stack/servers.ts";

export interface JobResult {
  /** e.g. "equities 1d 2020-08-31..2020-11-07" */
  label: string;
  exitCode: number | null;
  /** What went wrong when the job gave no result: the last line of its log. */
  error: string | null;
  series: number | null;
  /** reconcile: documents compared; batch: documents written. */
  documents: number | null;
  /** reconcile: differences; batch: new documents (the stream had not written them). */
  count: number | null;
}

export interface ConsoleCheck {
  url: string;
  served: boolean;
  note: string;
}

export interface Summary {
  source: string;
  runId: string | null;
  kafka: PipelineStats;
  collections: { name: string; documents: number }[];
  /** The run's MongoDB database and lake bucket (synthetic runs have their own). */
  data: { db: string; bucket: string };
  reconcile: JobResult[];
  batch: JobResult[];
  /** What the stored data shows of the design (rollups, cross-asset series, warm SMA200, provenance). */
  design: DesignCounts | null;
  /** The cross-asset job's run: its range and documents written, or what went wrong. */
  crossAsset: { label: string; documents: number | null; error: string | null } | null;
  urls: { dashboard: string; airflow: string; objectStore: ConsoleCheck; airflowUser: string };
  elapsedMs: number;
  /** When the dashboard first served the bars (ms after the command started). */
  dashboardReadyMs: number | null;
}

/** The result a batch or reconcile run wrote with --json (see services/batch-processor); its log's last line if none. */
export function readJobResult(
  name: "batch" | "reconcile",
  label: string,
  exitCode: number | null,
  jsonFile: string,
  log: string,
): JobResult {
  let r: { series?: number; compared?: number; documents?: number; differences?: number; inserted?: number };
  try {
    r = JSON.parse(readFileSync(jsonFile, "utf8"));
  } catch {
    const last = readLogTail(log, 1).trim() || "(no output)";
    return { label, exitCode, error: `exit ${exitCode}: ${last}`, series: null, documents: null, count: null };
  }
  // reconcile: documents compared and differences; batch: documents written and the new ones among them.
  const [documents, count] = name === "reconcile" ? [r.compared, r.differences] : [r.documents, r.inserted];
  return { label, exitCode, error: null, series: r.series ?? null, documents: documents ?? null, count: count ?? null };
}

/** Kafka statistics (of the stream processor's group) and the MongoDB database of a run, open while `fn` runs. */
export async function withRunData<T>(
  env: Record<string, string>,
  fn: (d: { stats: KafkaStatsReader; db: MongoHandle["db"] }) => Promise<T>,
): Promise<T> {
  const logger = createLogger("start", "silent");
  const group = env.STREAM_GROUP_ID || "stream-processor";
  const stats = createKafkaStats({ brokers: env.KAFKA_BROKERS!.split(","), clientId: "quant-start", group }, logger);
  const mongo = await connectMongo({ uri: env.MONGODB_URI!, dbName: env.MONGODB_DB! }, logger);
  try {
    return await fn({ stats, db: mongo.db });
  } finally {
    await stats.close();
    await mongo.close();
  }
}

export interface DesignCounts {
  /** Rollup documents per interval (bars_rollup). */
  rollups: Record<string, number>;
  /** Cross-asset series per kind, with their provenance. */
  crossAsset: { series: string; kind: string; source: string }[];
  /** Daily series whose latest bar has a warm SMA200. */
  sma200Warm: string[];
  /** Series (scraped) by provenance of their latest bar: replay, synthetic, yahoo. */
  provenance: Record<string, string[]>;
}

/** From the small collections the writers keep (latest_bars, cross_asset_series) and bars_rollup. */
export async function designCounts(db: MongoHandle["db"]): Promise<DesignCounts> {
  const latest = await readLatestBars(db);
  const rollups: Record<string, number> = {};
  for (const i of ["5m", "1h", "1d"] as const) rollups[i] = await rollupCollection(db).countDocuments({ interval: i });
  const provenance: Record<string, string[]> = {};
  for (const d of latest.filter((x) => x.kind === "scraped").sort((a, b) => a._id.localeCompare(b._id)))
    (provenance[d.source] ??= []).push(`${d.symbol} ${d.interval}`);
  return {
    rollups,
    crossAsset: (await readCrossAssetSeries(db)).map((m) => ({ series: m._id, kind: m.kind, source: m.source })),
    sma200Warm: latest
      .filter((d) => d.kind === "scraped" && d.interval === "1d" && d.sma200 !== null)
      .map((d) => d.symbol)
      .sort(),
    provenance,
  };
}

/** Document counts of every collection of the database, by name. */
export async function collectionCounts(db: MongoHandle["db"]): Promise<{ name: string; documents: number }[]> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const out: { name: string; documents: number }[] = [];
  for (const name of names) {
    if (name.startsWith("system.")) continue;
    out.push({ name, documents: await db.collection(name).countDocuments({}) });
  }
  return out;
}

/**
 * Scraped series whose stream checkpoint is behind their latest bar: the processor still owes their checkpoint and
 * the quality rows that go out with it (a quiet stream saves them within STREAM_CHECKPOINT_INTERVAL_MS).
 */
export async function seriesOwingCheckpoints(db: MongoHandle["db"]): Promise<number> {
  const saved = new Map(
    (
      await checkpointsCollection(db)
        .find({}, { projection: { lastTs: 1 } })
        .toArray()
    ).map((c) => [c._id, c.lastTs]),
  );
  const latest = (await readLatestBars(db)).filter((d) => d.kind === "scraped");
  return latest.filter((d) => (saved.get(`${d.symbol}|${d.interval}`)?.getTime() ?? -1) < d.ts.getTime()).length;
}

export const BAR_COLLECTIONS = ["bars_daily", "bars_intraday"];

export function barDocuments(collections: readonly { name: string; documents: number }[]): number {
  return collections.filter((c) => BAR_COLLECTIONS.includes(c.name)).reduce((n, c) => n + c.documents, 0);
}

/** Whether the MinIO console answers at `url`, and what of it works (this MinIO's console is the object browser). */
export async function checkObjectStoreConsole(
  url: string,
  accessKey: string,
  secretKey: string,
): Promise<ConsoleCheck> {
  try {
    const page = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const html = await page.text();
    if (!page.ok || !html.includes("MinIO Console"))
      return { url, served: false, note: `HTTP ${page.status} without the MinIO Console page` };
    const login = await fetch(new URL("/api/v1/login", url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accessKey, secretKey }),
      signal: AbortSignal.timeout(5_000),
    });
    if (login.status !== 204 && login.status !== 200)
      return { url, served: true, note: `page served, but the login answered HTTP ${login.status}` };
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const admin = await fetch(new URL("/api/v1/admin/info", url), {
      headers: { cookie },
      signal: AbortSignal.timeout(5_000),
    });
    return {
      url,
      served: true,
      note:
        admin.status === 501
          ? "object browser only (buckets, objects); this MinIO build has no admin pages (admin API: HTTP 501)"
          : "console with admin pages",
    };
  } catch (err) {
    return { url, served: false, note: `not answering (${(err as Error).message})` };
  }
}

/** What the data shows: rollups, cross-asset series, warm SMA200, and which series are real or generated. */
export function formatDesign(d: DesignCounts): string[] {
  const kinds = Map.groupBy(d.crossAsset, (c) => c.kind);
  const synthetic = d.crossAsset.filter((c) => c.source === "synthetic").length;
  return [
    `rollups (bars_rollup): ${Object.entries(d.rollups)
      .map(([i, c]) => `${i} ${n(c)}`)
      .join(", ")}`,
    `cross-asset series (cross_asset): ${d.crossAsset.length}` +
      (d.crossAsset.length > 0
        ? ` (${[...kinds].map(([k, v]) => `${v.length} ${k}`).join(", ")}; ${synthetic} from generated inputs)`
        : ""),
    `SMA200 warm on ${d.sma200Warm.length} daily series${d.sma200Warm.length > 0 ? `: ${d.sma200Warm.join(", ")}` : ""}`,
    ...Object.entries(d.provenance).map(
      ([source, series]) =>
        `${source === "synthetic" ? "synthetic (generated, badged on the dashboard)" : source}: ${series.join(", ")}`,
    ),
  ];
}

function table(rows: string[][], indent = "  "): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map(
    (r) => indent + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "),
  );
}

const n = (v: number | null) => (v === null ? "?" : v.toLocaleString("en-US"));

export function formatSummary(s: Summary): string[] {
  const out: string[] = [];
  out.push(
    `pipeline ready in ${(s.elapsedMs / 1000).toFixed(1)} s (source ${s.source}${s.runId ? `, run ${s.runId}` : ""})` +
      (s.dashboardReadyMs === null
        ? ""
        : `; dashboard serving the bars after ${(s.dashboardReadyMs / 1000).toFixed(1)} s`),
  );
  out.push("");
  if (s.kafka.ok) {
    out.push("Kafka (offsets; consumer group lag of the stream processor):");
    out.push(
      ...table([
        ["topic", "messages", "retained", "lag"],
        ...s.kafka.topics.map((t) => [t.topic, n(t.high), n(t.retained), t.lag === null ? "-" : n(t.lag)]),
      ]),
    );
  } else out.push(`Kafka: unavailable (${s.kafka.error ?? "?"})`);
  out.push(`dead letters: ${n(s.kafka.deadLetters)}`);
  out.push("");
  out.push(`MongoDB database ${s.data.db} (documents per collection; lake bucket ${s.data.bucket}):`);
  out.push(...table([["collection", "documents"], ...s.collections.map((c) => [c.name, n(c.documents)])]));
  out.push("");
  const diffs = s.reconcile.reduce((a, r) => a + (r.count ?? 0), 0);
  const failed = s.reconcile.filter((r) => r.count === null);
  out.push(
    `reconcile (stream documents vs batch computation from the lake): ${diffs} difference(s)` +
      (failed.length > 0 ? `, ${failed.length} range(s) without a result` : ""),
  );
  out.push(
    ...table([
      ["range", "series", "compared", "differences"],
      ...s.reconcile.map((r) => [
        r.label,
        n(r.series),
        n(r.documents),
        r.count === null ? (r.error ?? "?") : n(r.count),
      ]),
    ]),
  );
  if (s.batch.length > 0) {
    out.push("batch (lake -> MongoDB; new = documents the stream had not written):");
    out.push(
      ...table([
        ["range", "series", "written", "new"],
        ...s.batch.map((r) => [r.label, n(r.series), n(r.documents), r.count === null ? (r.error ?? "?") : n(r.count)]),
      ]),
    );
  }
  if (s.crossAsset)
    out.push(
      `cross-asset job (${s.crossAsset.label}): ${s.crossAsset.documents === null ? (s.crossAsset.error ?? "?") : `${n(s.crossAsset.documents)} documents written`}`,
    );
  if (s.design) out.push("", ...formatDesign(s.design));
  out.push("");
  out.push(`dashboard       ${s.urls.dashboard}`);
  out.push(`Airflow UI      ${s.urls.airflow}  (login ${s.urls.airflowUser} / AIRFLOW_ADMIN_PASSWORD)`);
  out.push(
    `object store    ${s.urls.objectStore.url}  (${s.urls.objectStore.served ? "MinIO console" : "NOT served"}: ${s.urls.objectStore.note}; login S3_ACCESS_KEY / S3_SECRET_KEY)`,
  );
  return out;
}
