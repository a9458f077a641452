// Prometheus metrics shared by every service: one registry per process (createMetricsRegistry), the pipeline's
// metric names in one place (PIPELINE_METRICS), and a tiny HTTP server for services that have no HTTP server of
// their own (startMetricsServer: GET /metrics, GET /healthz), and pushMetrics for short-lived jobs (the scraper runs
// per DAG task: Prometheus cannot pull from it, so it pushes to a Pushgateway before exiting). The API mounts the
// registry on its own /metrics.
//
// Names follow Prometheus conventions: a `quant_` prefix, base units (seconds), `_total` for counters. Labels stay
// low-cardinality: topic, symbol (the universe, ~20), interval, reason, outcome; never a bar id or a timestamp.
import { createServer, type Server } from "node:http";
import type { MongoClient } from "mongodb";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Logger } from "./logger.ts";

export { Counter, Gauge, Histogram, Registry };

/** Latency buckets in seconds: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The shared metric names (and their help texts and labels). Who feeds what: docs/serving.md, "Metrics"; the
 * Grafana dashboard's queries may only use these names (scripts/monitoring/dashboard.test.ts).
 */
export const PIPELINE_METRICS = {
  messagesIn: {
    name: "quant_messages_in_total",
    help: "Messages consumed, per topic",
    labelNames: ["topic"],
  },
  messagesOut: {
    name: "quant_messages_out_total",
    help: "Messages produced, per topic",
    labelNames: ["topic"],
  },
  deadLetters: {
    name: "quant_dead_letters_total",
    help: "Messages sent to the dead-letter topic, per source topic and reason",
    labelNames: ["topic", "reason"],
  },
  consumerLag: {
    name: "quant_consumer_lag_messages",
    help: "Consumer group lag (high watermark - committed offset), per topic and partition",
    labelNames: ["group", "topic", "partition"],
  },
  processingSeconds: {
    name: "quant_processing_duration_seconds",
    help: "Time to process one consumed batch (decode, indicators, write, commit)",
    labelNames: ["topic"],
  },
  produceToWriteSeconds: {
    name: "quant_produce_to_write_seconds",
    help: "Kafka message timestamp (producer CreateTime) to its batch written and committed, per topic",
    labelNames: ["topic"],
  },
  writeSeconds: {
    name: "quant_write_duration_seconds",
    help: "Time of one write command to the store (insert, update, delete), per collection",
    labelNames: ["collection"],
  },
  barsProcessed: {
    name: "quant_bars_processed_total",
    help: "Bars consumed by the stream processor, per topic and outcome (written, replaced, late, duplicate)",
    labelNames: ["topic", "outcome"],
  },
  rollupsWritten: {
    name: "quant_rollups_written_total",
    help: "Rollup bar documents written by the stream processor (closed windows, and rewrites after late bars)",
    labelNames: ["topic"],
  },
  barsRead: {
    name: "quant_bars_read_total",
    help: "Bars read from the Parquet lake by a batch run (refused ones included)",
    labelNames: [],
  },
  barsWritten: {
    name: "quant_bars_written_total",
    help: "Bar documents (rollups included) a batch run wrote to MongoDB: new or changed ones",
    labelNames: [],
  },
  barsProduced: {
    name: "quant_bars_produced_total",
    help: "Bars a scraper run delivered (to Kafka and the lake), per interval",
    labelNames: ["interval"],
  },
  lakeObjectsWritten: {
    name: "quant_lake_objects_written_total",
    help: "Parquet objects a scraper run wrote to the lake, per interval",
    labelNames: ["interval"],
  },
  scrapes: {
    name: "quant_scrapes_total",
    help: "Scrape attempts per symbol and outcome (success, failure); one per symbol and interval",
    labelNames: ["symbol", "outcome"],
  },
  jobDuration: {
    name: "quant_job_duration_seconds",
    help: "Wall time of the last run of a short-lived job (scraper, batch), pushed when it ends",
    labelNames: [],
  },
  lastBarTimestamp: {
    name: "quant_last_bar_timestamp_seconds",
    help: "Open time of the newest bar seen, per symbol and interval (Unix seconds)",
    labelNames: ["symbol", "interval"],
  },
  httpRequestSeconds: {
    name: "quant_http_request_duration_seconds",
    help: "HTTP request duration, per route and status code",
    labelNames: ["method", "route", "status"],
  },
  qualityFlags: {
    name: "quant_quality_flags_total",
    help: "Bars flagged by the data-quality checks of the stream processor, per series and flag (gap, return_outlier, range_outlier, conflict, stale, zero_volume, incomplete, off_calendar)",
    labelNames: ["symbol", "interval", "flag"],
  },
  qualityMissingBars: {
    name: "quant_quality_missing_bars_total",
    help: "Expected bars (per the exchange calendar) found missing by the stream processor, per series",
    labelNames: ["symbol", "interval"],
  },
  qualityScore: {
    name: "quant_quality_score",
    help: "Quality score (0-1: share of expected bars present and unflagged) of the series' latest trading day",
    labelNames: ["symbol", "interval"],
  },
  reconcileDifferences: {
    name: "quant_reconcile_differences",
    help: "Differences between the stream's documents and the batch computation found by the last reconcile run, per series (0 expected)",
    labelNames: ["symbol", "interval"],
  },
  reconcileCompared: {
    name: "quant_reconcile_documents_compared",
    help: "Documents (bars, rollups, quality rows) compared by the last reconcile run",
    labelNames: [],
  },
} as const;

type Defs = typeof PIPELINE_METRICS;
type Labels<K extends keyof Defs> = Defs[K]["labelNames"][number];

/** End-to-end delays in seconds: 10 ms to 10 min (a replay after downtime is minutes behind). */
export const DELAY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export interface RegistryOptions {
  /** Added to every series, e.g. `{ service: "stream-processor" }`. */
  service: string;
  /** Node process metrics (CPU, memory, event-loop lag, GC); default true. */
  processMetrics?: boolean;
}

/**
 * A fresh registry with the shared metrics registered (never the global one: tests and several components in one
 * process each get their own). A service uses the members it needs; the others stay at zero / absent.
 */
export function createMetricsRegistry(opts: RegistryOptions) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.service });
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "quant_" });
  const conf = <K extends keyof Defs>(key: K) => {
    const d = PIPELINE_METRICS[key];
    return { name: d.name, help: d.help, labelNames: [...d.labelNames] as Labels<K>[], registers: [registry] };
  };
  const counter = <K extends keyof Defs>(key: K) => new Counter(conf(key));
  const gauge = <K extends keyof Defs>(key: K) => new Gauge(conf(key));
  const histogram = <K extends keyof Defs>(key: K, buckets = LATENCY_BUCKETS) =>
    new Histogram({ ...conf(key), buckets });
  return {
    registry,
    messagesIn: counter("messagesIn"),
    messagesOut: counter("messagesOut"),
    deadLetters: counter("deadLetters"),
    consumerLag: gauge("consumerLag"),
    processingSeconds: histogram("processingSeconds"),
    produceToWriteSeconds: histogram("produceToWriteSeconds", DELAY_BUCKETS),
    writeSeconds: histogram("writeSeconds"),
    barsProcessed: counter("barsProcessed"),
    rollupsWritten: counter("rollupsWritten"),
    barsRead: counter("barsRead"),
    barsWritten: counter("barsWritten"),
    barsProduced: counter("barsProduced"),
    lakeObjectsWritten: counter("lakeObjectsWritten"),
    scrapes: counter("scrapes"),
    jobDuration: gauge("jobDuration"),
    lastBarTimestamp: gauge("lastBarTimestamp"),
    httpRequestSeconds: histogram("httpRequestSeconds"),
    qualityFlags: counter("qualityFlags"),
    qualityMissingBars: counter("qualityMissingBars"),
    qualityScore: gauge("qualityScore"),
    reconcileDifferences: gauge("reconcileDifferences"),
    reconcileCompared: gauge("reconcileCompared"),
  };
}

/** The shared metrics of one registry, as createMetricsRegistry makes them. */
export type PipelineMetrics = ReturnType<typeof createMetricsRegistry>;

/** Every metric name a registry of createMetricsRegistry can expose, histogram and process series included. */
export async function exposedMetricNames(): Promise<Set<string>> {
  const m = createMetricsRegistry({ service: "names" });
  const names = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    const type = String(metric.type);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(metric.name + s);
    if (type === "summary") for (const s of ["_sum", "_count"]) names.add(metric.name + s);
  }
  return names;
}

/** Times an async operation into a histogram (observed in seconds, also when it throws). */
export async function timed<T, L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
  fn: () => Promise<T>,
): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    return await fn();
  } finally {
    end();
  }
}

const WRITE_COMMANDS = new Set(["insert", "update", "delete", "findAndModify"]);

/**
 * Times every write command of a MongoDB client into writeSeconds, per collection, from the driver's command
 * monitoring events (connect with `monitorCommands: true`), so that no write call site needs wrapping.
 */
export function observeStoreWrites(client: MongoClient, writeSeconds: PipelineMetrics["writeSeconds"]): void {
  const collections = new Map<number, string>();
  client.on("commandStarted", (e) => {
    if (WRITE_COMMANDS.has(e.commandName)) collections.set(e.requestId, String(e.command[e.commandName]));
  });
  const done = (e: { requestId: number; duration: number }) => {
    const collection = collections.get(e.requestId);
    if (collection === undefined) return;
    collections.delete(e.requestId);
    writeSeconds.observe({ collection }, e.duration / 1_000);
  };
  client.on("commandSucceeded", done);
  client.on("commandFailed", done);
}

export interface MetricsServer {
  port: number;
  /** From now on /healthz answers 200 (before: 503 "starting"). */
  setReady(): void;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz` on `host:port` (port 0: any free port) for
 * services without an HTTP server of their own. /healthz is the readiness probe: 503 until `setReady()`, so that
 * supervisors (compose healthchecks, `pnpm start`) wait for the service itself, not for a line in its log.
 * Close it on shutdown.
 */
export async function startMetricsServer(port: number, registry: Registry, host = "0.0.0.0"): Promise<MetricsServer> {
  let ready = false;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(body);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(err));
        });
      return;
    }
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(ready ? 200 : 503, { "content-type": "text/plain" });
      res.end(ready ? "ok\n" : "starting\n");
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    setReady: () => {
      ready = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Pushes the registry to a Prometheus Pushgateway (`PUT {url}/metrics/job/{job}[/instance/{instance}]`), replacing
 * the job's previous push: for short-lived jobs, called once before exit. Throws on a non-2xx answer.
 */
export async function pushMetrics(
  url: string,
  job: string,
  registry: Registry,
  opts: { instance?: string; timeoutMs?: number } = {},
): Promise<void> {
  const path = `/metrics/job/${encodeURIComponent(job)}${opts.instance ? `/instance/${encodeURIComponent(opts.instance)}` : ""}`;
  const res = await fetch(new URL(path, url), {
    method: "PUT",
    headers: { "content-type": registry.contentType },
    body: await registry.metrics(),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
  });
  if (!res.ok) throw new Error(`pushgateway ${url}: HTTP ${res.status}`);
}

/**
 * The end of a short-lived job: pushMetrics when a Pushgateway URL is configured, else nothing. A failed push is
 * logged, never thrown: the job's work is done and its exit code must say how that went.
 */
export async function pushJobMetrics(
  url: string | undefined,
  job: string,
  registry: Registry,
  logger: Logger,
  instance?: string,
): Promise<void> {
  if (!url) return;
  try {
    await pushMetrics(url, job, registry, instance === undefined ? {} : { instance });
    logger.debug({ url, job, instance }, "metrics pushed");
  } catch (err) {
    logger.warn({ url, job, err: (err as Error).message }, "metrics push failed");
  }
}
