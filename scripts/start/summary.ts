// What `pnpm start` reports once the pipeline has run: bars per topic (Kafka offsets), documents per collection,
// dead letters, reconcile differences, batch results, and where to look. Collection is separate from formatting,
// so the table is testable without servers.
import { readFileSync } from "node:fs";
import {
  connectMongo,
  createKafkaStats,
  createLogger,
  type KafkaStatsReader,
  type MongoHandle,
  type PipelineStats,
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
  return name === "reconcile"
    ? {
        label,
        exitCode,
        error: null,
        series: r.series ?? null,
        documents: r.compared ?? null,
        count: r.differences ?? null,
      }
    : {
        label,
        exitCode,
        error: null,
        series: r.series ?? null,
        documents: r.documents ?? null,
        count: r.inserted ?? null,
      };
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
  out.push("");
  out.push(`dashboard       ${s.urls.dashboard}`);
  out.push(`Airflow UI      ${s.urls.airflow}  (login ${s.urls.airflowUser} / AIRFLOW_ADMIN_PASSWORD)`);
  out.push(
    `object store    ${s.urls.objectStore.url}  (${s.urls.objectStore.served ? "MinIO console" : "NOT served"}: ${s.urls.objectStore.note}; login S3_ACCESS_KEY / S3_SECRET_KEY)`,
  );
  return out;
}
