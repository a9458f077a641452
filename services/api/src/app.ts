// The HTTP API (Fastify 5): read-only JSON over MongoDB, server-sent events for live bars, the dashboard's static
// files and /metrics. Every query string goes through a strict zod schema (validation.ts) before it reaches a filter.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addDays,
  type BarDocument,
  type BarQuality,
  barsRangeCursor,
  COLLECTIONS,
  crossAssetCollection,
  crossAssetCursor,
  DAY_MS,
  dateToEpochMs,
  epochMsToDate,
  INTERVAL_MS,
  type Interval,
  type KafkaStatsReader,
  type Logger,
  lastBarsCursor,
  latestBars,
  latestQualityDate,
  type MongoHealth,
  type PipelineMetrics,
  qualityRows,
  summarizeQualityRows,
  topicForAsset,
  topMoversCursor,
  universeSeries,
  universeSymbols,
} from "@quant/core";
import { rollupTargets } from "@quant/enrich";
import { BAR_METRIC_FIELDS } from "@quant/indicators";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { Db } from "mongodb";
import type { LivePoller } from "./live.ts";
import {
  BarsQuery,
  CrossAssetQuery,
  EmptyQuery,
  HttpError,
  MoversQuery,
  parseQuery,
  QualityQuery,
  resolveRange,
  StreamQuery,
} from "./validation.ts";

export interface AppDeps {
  db: Db;
  mongoHealth(): Promise<MongoHealth>;
  kafkaStats: KafkaStatsReader | null;
  live: LivePoller;
  metrics: PipelineMetrics;
  logger: Logger;
  maxBars: number;
  /** Server-sent events: heartbeat comment interval. */
  heartbeatMs?: number;
}

/** The bar as the API returns it: market fields and metrics, ts as ISO; no provenance internals. */
export interface ApiBar {
  ts: string;
  tradingDate: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  partial: boolean;
  /** The quality checks' findings (flags, missing bars before it, conflicting versions); null on rollups. */
  quality: BarQuality | null;
  [metric: string]: number | string | boolean | BarQuality | null;
}

export function toApiBar(d: BarDocument): ApiBar {
  const out: ApiBar = {
    ts: d.ts.toISOString(),
    tradingDate: d.tradingDate,
    open: d.open,
    high: d.high,
    low: d.low,
    close: d.close,
    volume: d.volume,
    partial: d.partial,
    quality: d.quality ?? null,
  };
  for (const f of BAR_METRIC_FIELDS) out[f] = d[f] ?? null;
  return out;
}

const INTERVAL_ORDER: Interval[] = ["1m", "5m", "15m", "1h", "1d"];

/** Intervals the universe scrapes for a symbol. */
export function scrapedIntervals(symbol: string): Interval[] {
  const set = new Set(universeSeries().flatMap((s) => (s.symbol === symbol ? [s.interval] : [])));
  return INTERVAL_ORDER.filter((i) => set.has(i));
}

/**
 * Intervals the stream processor rolls a symbol up to (bars_rollup): the rollup targets (@quant/enrich's rule, the
 * one the processors follow) of each series the universe scrapes for it; none for symbols scraped daily only.
 */
export function rollupIntervals(symbol: string): Interval[] {
  const set = new Set(
    universeSeries().flatMap((s) => (s.symbol === symbol ? rollupTargets(s.assetClass, s.interval) : [])),
  );
  return INTERVAL_ORDER.filter((i) => set.has(i));
}

function intervalsOf(symbol: string): Interval[] {
  const set = new Set([...scrapedIntervals(symbol), ...rollupIntervals(symbol)]);
  return INTERVAL_ORDER.filter((i) => set.has(i));
}

/** auto: the scraped series where the universe scrapes that interval, else the rollup where there is one. */
export function resolveSource(
  symbol: string,
  interval: Interval,
  requested: "auto" | "scraped" | "rollup",
): "scraped" | "rollup" {
  if (requested !== "auto") return requested;
  if (scrapedIntervals(symbol).includes(interval)) return "scraped";
  return rollupIntervals(symbol).includes(interval) ? "rollup" : "scraped";
}

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "public");

function staticAssets(): Map<string, { type: string; body: Buffer }> {
  const require = createRequire(import.meta.url);
  const lwc = join(dirname(require.resolve("lightweight-charts/package.json")), "dist");
  const files: [string, string, string][] = [
    ["/", join(PUBLIC_DIR, "index.html"), "text/html; charset=utf-8"],
    ["/app.js", join(PUBLIC_DIR, "app.js"), "text/javascript; charset=utf-8"],
    ["/quality.js", join(PUBLIC_DIR, "quality.js"), "text/javascript; charset=utf-8"],
    ["/style.css", join(PUBLIC_DIR, "style.css"), "text/css; charset=utf-8"],
    [
      "/vendor/lightweight-charts.js",
      join(lwc, "lightweight-charts.standalone.production.js"),
      "text/javascript; charset=utf-8",
    ],
  ];
  return new Map(files.map(([url, path, type]) => [url, { type, body: readFileSync(path) }]));
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 100 }, bodyLimit: 1_024 });
  const log = deps.logger.child({ component: "http" });
  const streams = new Set<FastifyReply>();
  const assets = staticAssets();
  const heartbeatMs = deps.heartbeatMs ?? 15_000;

  app.addHook("onResponse", async (req, reply) => {
    deps.metrics.httpRequestSeconds.observe(
      { method: req.method, route: req.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send({ error: err.message });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error: (err as Error).message });
    log.error({ err: String(err), url: req.url }, "request failed");
    return reply.status(500).send({ error: "internal error" });
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: "not found" }));

  /** 404 for a symbol that is neither in the universe nor in the store (one indexed lookup per collection). */
  async function assertKnownSymbol(symbol: string): Promise<void> {
    if (universeSymbols().some((s) => s.symbol === symbol)) return;
    for (const name of [COLLECTIONS.barsDaily, COLLECTIONS.barsIntraday]) {
      const hit = await deps.db.collection(name).findOne({ symbol }, { projection: { _id: 1 } });
      if (hit) return;
    }
    throw new HttpError(404, `unknown symbol: ${symbol}`);
  }

  app.get("/api/symbols", async (req) => {
    parseQuery(EmptyQuery, req.query);
    const symbols = universeSymbols();
    const primary = symbols.map(({ symbol }) => {
      const scraped = scrapedIntervals(symbol);
      return { symbol, interval: scraped.includes("1d") ? ("1d" as const) : scraped[0]! };
    });
    const latest = await latestBars(deps.db, primary);
    return {
      symbols: symbols.map((s, i) => {
        const bar = latest[i];
        return {
          symbol: s.symbol,
          assetClass: s.assetClass,
          intervals: intervalsOf(s.symbol),
          scraped: scrapedIntervals(s.symbol),
          rollups: rollupIntervals(s.symbol),
          latest: bar
            ? { interval: bar.interval, ts: bar.ts.toISOString(), close: bar.close, logReturn: bar.logReturn }
            : null,
        };
      }),
    };
  });

  app.get("/api/bars", async (req) => {
    const q = parseQuery(BarsQuery, req.query);
    if (q.limit !== undefined && (q.limit < 1 || q.limit > deps.maxBars))
      throw new HttpError(400, `limit: expected 1 to ${deps.maxBars}`);
    await assertKnownSymbol(q.symbol);
    const source = resolveSource(q.symbol, q.interval, q.source);
    const key = { symbol: q.symbol, interval: q.interval, source };
    let docs: BarDocument[];
    if (q.from || q.to) {
      const r = resolveRange(q, q.interval, deps.maxBars);
      docs = await barsRangeCursor(deps.db, key, r.from, r.to, q.limit ?? deps.maxBars).toArray();
    } else {
      docs = (await lastBarsCursor(deps.db, key, q.limit ?? 500).toArray()).reverse();
    }
    return { symbol: q.symbol, interval: q.interval, source, count: docs.length, bars: docs.map(toApiBar) };
  });

  app.get("/api/cross-asset/series", async (req) => {
    parseQuery(EmptyQuery, req.query);
    const series = (await crossAssetCollection(deps.db).distinct("series")).map(String).sort();
    return { series };
  });

  app.get("/api/cross-asset", async (req) => {
    const q = parseQuery(CrossAssetQuery, req.query);
    const interval = q.series.split("|")[1] as Interval;
    const r = resolveRange(q, interval, deps.maxBars);
    const docs = await crossAssetCursor(deps.db, q.series, r.from, r.to, deps.maxBars).toArray();
    return {
      series: q.series,
      count: docs.length,
      points: docs.map((d) => ({ ts: d.ts.toISOString(), value: d.value })),
    };
  });

  app.get("/api/movers", async (req) => {
    const q = parseQuery(MoversQuery, req.query);
    const limit = q.limit ?? 10;
    if (limit < 1 || limit > 100) throw new HttpError(400, "limit: expected 1 to 100");
    const docs = await topMoversCursor(deps.db, q.date, limit, q.direction === "up" ? -1 : 1).toArray();
    return {
      date: q.date,
      movers: docs.map((d) => ({
        symbol: d.symbol,
        close: d.close,
        logReturn: d.logReturn,
        return: d.logReturn === null ? null : Math.expm1(d.logReturn),
      })),
    };
  });

  app.get("/api/quality", async (req) => {
    const q = parseQuery(QualityQuery, req.query);
    const limit = q.limit ?? 20;
    if (limit < 1 || limit > 500) throw new HttpError(400, "limit: expected 1 to 500");
    // Without `to`: up to the latest day with rows (a store of replayed history has none this week).
    const to = q.to ?? (await latestQualityDate(deps.db)) ?? epochMsToDate(Date.now());
    const from = q.from ?? addDays(to, -6);
    if (from > to) throw new HttpError(400, "bad range: from must not be after to");
    if (dateToEpochMs(to) - dateToEpochMs(from) > 366 * DAY_MS)
      throw new HttpError(400, "range too large: at most a year");
    const series = summarizeQualityRows(await qualityRows(deps.db, { from, to, symbols: q.symbols ?? null }).toArray());
    return {
      from,
      to,
      count: series.length,
      series: series.slice(0, limit).map((s) => ({ ...s, lastTs: s.lastTs?.toISOString() ?? null })),
    };
  });

  app.get("/api/health", async (req, reply) => {
    parseQuery(EmptyQuery, req.query);
    const [mongo, kafka] = await Promise.all([deps.mongoHealth(), deps.kafkaStats?.read() ?? Promise.resolve(null)]);
    const series = universeSeries();
    const latest = mongo.ok ? await latestBars(deps.db, series).catch(() => series.map(() => null)) : [];
    const byAsset = new Map<string, { topic: string; lastBarTs: string | null; series: number; withBars: number }>();
    series.forEach((s, i) => {
      const e = byAsset.get(s.assetClass) ?? {
        topic: topicForAsset(s.assetClass as Parameters<typeof topicForAsset>[0]),
        lastBarTs: null,
        series: 0,
        withBars: 0,
      };
      e.series++;
      const bar = latest[i];
      if (bar) {
        e.withBars++;
        const ts = bar.ts.toISOString();
        if (!e.lastBarTs || ts > e.lastBarTs) e.lastBarTs = ts;
        deps.metrics.lastBarTimestamp.set({ symbol: s.symbol, interval: s.interval }, bar.ts.getTime() / 1000);
      }
      byAsset.set(s.assetClass, e);
    });
    const body = {
      ok: mongo.ok,
      servers: {
        mongodb: mongo,
        kafka: kafka ? { ok: kafka.ok, ...(kafka.error ? { error: kafka.error } : {}) } : { ok: null, disabled: true },
      },
      assets: [...byAsset].map(([assetClass, e]) => ({ assetClass, ...e })),
    };
    return reply.status(mongo.ok ? 200 : 503).send(body);
  });

  app.get("/api/pipeline", async (req) => {
    parseQuery(EmptyQuery, req.query);
    if (!deps.kafkaStats) return { ok: false, disabled: true, topics: [], deadLetters: null, totalLag: null };
    const stats = await deps.kafkaStats.read();
    for (const t of stats.topics)
      if (t.lag !== null) deps.metrics.consumerLag.set({ group: stats.group, topic: t.topic, partition: "all" }, t.lag);
    return stats;
  });

  app.get("/api/stream", async (req, reply) => {
    const q = parseQuery(StreamQuery, req.query);
    await assertKnownSymbol(q.symbol);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write(`retry: ${Math.max(1_000, INTERVAL_MS["1m"] / 60)}\n`);
    const source = resolveSource(q.symbol, q.interval, q.source);
    res.write(`event: ready\ndata: ${JSON.stringify({ symbol: q.symbol, interval: q.interval, source })}\n\n`);
    const unsubscribe = deps.live.subscribe({ symbol: q.symbol, interval: q.interval, source }, (bars) => {
      res.write(`event: bars\ndata: ${JSON.stringify(bars.map(toApiBar))}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
    streams.add(reply);
    const done = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(reply);
    };
    res.on("close", done);
  });

  app.get("/metrics", async (_req, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });

  for (const [url, asset] of assets) {
    app.get(url, async (_req, reply) => reply.type(asset.type).header("cache-control", "no-cache").send(asset.body));
  }

  app.addHook("onClose", async () => {
    for (const r of streams) r.raw.end();
    streams.clear();
    deps.live.stop();
  });

  return app;
}
