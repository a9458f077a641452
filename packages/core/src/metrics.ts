// Prometheus metrics shared by every service: one registry per process (createMetricsRegistry), the pipeline's
// metric names in one place (PIPELINE_METRICS), and a tiny HTTP server for services that have no HTTP server of
// their own (startMetricsServer: GET /metrics, GET /healthz), and pushMetrics for short-lived jobs (the scraper runs
// per DAG task: Prometheus cannot pull from it, so it pushes to a Pushgateway before exiting). The API mounts the
// registry on its own /metrics.
//
// Names follow Prometheus conventions: a `quant_` prefix, base units (seconds), `_total` for counters. Labels stay
// low-cardinality: topic, symbol (the universe, ~20), interval, reason, outcome; never a bar id or a timestamp.
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** Latency buckets in seconds: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The shared metric names (and their help texts and labels). */
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
  writeSeconds: {
    name: "quant_write_duration_seconds",
    help: "Time of one write to the store (a bulkWrite or insertMany), per collection",
    labelNames: ["collection"],
  },
  barsWritten: {
    name: "quant_bars_written_total",
    help: "Bar documents written (inserted or replaced), per interval",
    labelNames: ["interval"],
  },
  scrapes: {
    name: "quant_scrapes_total",
    help: "Scrape attempts per symbol and outcome (success, failure)",
    labelNames: ["symbol", "outcome"],
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
} as const;

type Def = (typeof PIPELINE_METRICS)[keyof typeof PIPELINE_METRICS];
type Labels<D extends Def> = D["labelNames"][number];

export interface PipelineMetrics {
  registry: Registry;
  messagesIn: Counter<Labels<typeof PIPELINE_METRICS.messagesIn>>;
  messagesOut: Counter<Labels<typeof PIPELINE_METRICS.messagesOut>>;
  deadLetters: Counter<Labels<typeof PIPELINE_METRICS.deadLetters>>;
  consumerLag: Gauge<Labels<typeof PIPELINE_METRICS.consumerLag>>;
  processingSeconds: Histogram<Labels<typeof PIPELINE_METRICS.processingSeconds>>;
  writeSeconds: Histogram<Labels<typeof PIPELINE_METRICS.writeSeconds>>;
  barsWritten: Counter<Labels<typeof PIPELINE_METRICS.barsWritten>>;
  scrapes: Counter<Labels<typeof PIPELINE_METRICS.scrapes>>;
  lastBarTimestamp: Gauge<Labels<typeof PIPELINE_METRICS.lastBarTimestamp>>;
  httpRequestSeconds: Histogram<Labels<typeof PIPELINE_METRICS.httpRequestSeconds>>;
}

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
export function createMetricsRegistry(opts: RegistryOptions): PipelineMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.service });
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "quant_" });
  const m = PIPELINE_METRICS;
  const reg = { registers: [registry] };
  const latency = { ...reg, buckets: LATENCY_BUCKETS };
  return {
    registry,
    messagesIn: new Counter({ ...m.messagesIn, labelNames: [...m.messagesIn.labelNames], ...reg }),
    messagesOut: new Counter({ ...m.messagesOut, labelNames: [...m.messagesOut.labelNames], ...reg }),
    deadLetters: new Counter({ ...m.deadLetters, labelNames: [...m.deadLetters.labelNames], ...reg }),
    consumerLag: new Gauge({ ...m.consumerLag, labelNames: [...m.consumerLag.labelNames], ...reg }),
    processingSeconds: new Histogram({
      ...m.processingSeconds,
      labelNames: [...m.processingSeconds.labelNames],
      ...latency,
    }),
    writeSeconds: new Histogram({ ...m.writeSeconds, labelNames: [...m.writeSeconds.labelNames], ...latency }),
    barsWritten: new Counter({ ...m.barsWritten, labelNames: [...m.barsWritten.labelNames], ...reg }),
    scrapes: new Counter({ ...m.scrapes, labelNames: [...m.scrapes.labelNames], ...reg }),
    lastBarTimestamp: new Gauge({ ...m.lastBarTimestamp, labelNames: [...m.lastBarTimestamp.labelNames], ...reg }),
    httpRequestSeconds: new Histogram({
      ...m.httpRequestSeconds,
      labelNames: [...m.httpRequestSeconds.labelNames],
      ...latency,
    }),
  };
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

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz` on `host:port` (port 0: any free port) for
 * services without an HTTP server of their own. Close it on shutdown.
 */
export async function startMetricsServer(port: number, registry: Registry, host = "0.0.0.0"): Promise<MetricsServer> {
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
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok\n");
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
