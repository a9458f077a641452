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
  type BarSource,
  barsRangeCursor,
  COLLECTIONS,
  DAY_MS,
  dateToEpochMs,
  epochMsToDate,
  INTERVAL_MS,
  type Interval,
  type KafkaStatsReader,
  type Logger,
  latestBarKey,
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
import { rollupSourceInterval, rollupTargets } from "@quant/enrich";
import { BAR_METRIC_FIELDS } from "@quant/indicators";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { Db } from "mongodb";
import { registerCandleRoutes } from "./candles.ts";
import { type ServingCache, seriesId } from "./serving-cache.ts";
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
  /** Latest bars, series and live updates from memory (serving-cache.ts). */
  cache: ServingCache;
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

/** The series a symbol's rollups are built from (@quant/enrich's rule), if any. */
function rollupSourceOf(symbol: string): Interval | undefined {
  const assetClass = universeSymbols().find((s) => s.symbol === symbol)?.assetClass;
  const source = assetClass ? rollupSourceInterval(assetClass) : null;
  return source && scrapedIntervals(symbol).includes(source) ? source : undefined;
}

function intervalsOf(symbol: string): Interval[] {
  const set = new Set([...scrapedIntervals(symbol), ...rollupIntervals(symbol)]);
  return INTERVAL_ORDER.filter((i) => set.has(i));
}

/**
 * auto: the series that has bars, scraped first (a symbol scraped at 5m but only rolled up to 5m from its 1m bars shows
 * the rollup); with neither stored, the scraped series where the universe scrapes that interval, else the rollup.
 */
export function resolveSource(
  symbol: string,
  interval: Interval,
  requested: "auto" | "scraped" | "rollup",
  stored?: ReadonlyMap<string, unknown>,
): "scraped" | "rollup" {
  if (requested !== "auto") return requested;
  if (stored?.has(latestBarKey(symbol, interval, "scraped"))) return "scraped";
  if (stored?.has(latestBarKey(symbol, interval, "rollup"))) return "rollup";
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
    ["/candles.js", join(PUBLIC_DIR, "candles.js"), "text/javascript; charset=utf-8"],
    [
      "/vendor/lightweight-charts.js",
      join(lwc, "lightweight-charts.standalone.production.js"),
      "text/javascript; charset=utf-8",
    ],
  ];
  return new Map(files.map(([url, path, type]) => [url, { type, body: readFileSync(path) }]));
}

/**
 * A read shared by the requests of the next `ms` milliseconds: the dashboard's panels poll Kafka offsets and server
 * health, and one read a second serves every open dashboard.
 */
export function sharedFor<T>(ms: number, read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) {
      const value = read();
      last = { at: now, value };
      // A failed read is not kept: the next request tries again.
      value.catch(() => {
        if (last?.value === value) last = null;
      });
    }
    return last.value;
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 100 }, bodyLimit: 1_024 });
  const log = deps.logger.child({ component: "http" });
  const streams = new Set<FastifyReply>();
  const assets = staticAssets();
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const kafkaStats = deps.kafkaStats ? sharedFor(1_000, () => deps.kafkaStats!.read()) : null;
  const mongoHealth = sharedFor(1_000, () => deps.mongoHealth());

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
    for (const d of (await deps.cache.latestBars()).values()) if (d.symbol === symbol) return;
    for (const name of [COLLECTIONS.barsDaily, COLLECTIONS.barsIntraday]) {
      const hit = await deps.db.collection(name).findOne({ symbol }, { projection: { _id: 1 } });
      if (hit) return;
    }
    throw new HttpError(404, `unknown symbol: ${symbol}`);
  }

  /**
   * Where a series' bars come from (`replay`, `synthetic`, `yahoo`), from its latest bar; a rollup series has the
   * provenance of the bars it is built from. null when the series has no bar.
   */
  function provenanceOf(
    latest: Map<string, BarDocument & { kind?: string }>,
    symbol: string,
    interval: Interval,
    kind: "scraped" | "rollup",
  ): BarSource | null {
    const bar = latest.get(latestBarKey(symbol, interval, kind));
    if (!bar) return null;
    if (kind === "rollup") {
      const from = rollupSourceOf(symbol);
      return from ? (latest.get(latestBarKey(symbol, from, "scraped"))?.source ?? null) : null;
    }
    return bar.source;
  }

  app.get("/api/symbols", async (req) => {
    parseQuery(EmptyQuery, req.query);
    const latest = await deps.cache.latestBars();
    // The universe, plus any symbol and interval stored outside it (a scrape with --symbols/--interval, e.g. the
    // recorded AAPL 1m session): latest_bars knows every stored series.
    const stored = new Map<string, { assetClass: string; intervals: Set<Interval> }>();
    for (const d of latest.values()) {
      if (d.kind !== "scraped") continue;
      const e = stored.get(d.symbol) ?? { assetClass: d.assetClass, intervals: new Set<Interval>() };
      e.intervals.add(d.interval);
      stored.set(d.symbol, e);
    }
    const symbols = [
      ...universeSymbols(),
      ...[...stored]
        .filter(([symbol]) => !universeSymbols().some((u) => u.symbol === symbol))
        .map(([symbol, e]) => ({ symbol, assetClass: e.assetClass })),
    ];
    return {
      symbols: symbols.map((s) => {
        const only = [...(stored.get(s.symbol)?.intervals ?? [])];
        const scraped = INTERVAL_ORDER.filter((i) => scrapedIntervals(s.symbol).includes(i) || only.includes(i));
        const intervals = INTERVAL_ORDER.filter((i) => intervalsOf(s.symbol).includes(i) || only.includes(i));
        const primary = scraped.includes("1d") ? ("1d" as const) : scraped[0];
        const bar = primary ? latest.get(latestBarKey(s.symbol, primary, "scraped")) : undefined;
        // Provenance per interval the symbol has bars at (the dashboard's synthetic badge).
        const sources: Partial<Record<Interval, BarSource>> = {};
        for (const i of intervals) {
          const p = provenanceOf(latest, s.symbol, i, resolveSource(s.symbol, i, "auto", latest));
          if (p) sources[i] = p;
        }
        return {
          symbol: s.symbol,
          assetClass: s.assetClass,
          intervals,
          scraped,
          rollups: rollupIntervals(s.symbol),
          sources,
          latest: bar
            ? {
                interval: bar.interval,
                ts: bar.ts.toISOString(),
                close: bar.close,
                logReturn: bar.logReturn,
                source: bar.source,
              }
            : null,
        };
      }),
    };
  });

  /** Serialised /api/bars answers of the last bars of a series, by series and limit (see below). */
  const answers = new Map<string, { generation: number; body: string }>();

  app.get("/api/bars", async (req, reply) => {
    const q = parseQuery(BarsQuery, req.query);
    if (q.limit !== undefined && (q.limit < 1 || q.limit > deps.maxBars))
      throw new HttpError(400, `limit: expected 1 to ${deps.maxBars}`);
    await assertKnownSymbol(q.symbol);
    const source = resolveSource(q.symbol, q.interval, q.source, await deps.cache.latestBars());
    const key = { symbol: q.symbol, interval: q.interval, source };
    let docs: BarDocument[];
    let memoKey: string | null = null;
    let generation = 0;
    if (q.from || q.to) {
      const r = resolveRange(q, q.interval, deps.maxBars);
      const limit = q.limit ?? deps.maxBars;
      docs =
        (await deps.cache.rangeBars(key, r.from, r.to, limit)) ??
        (await barsRangeCursor(deps.db, key, r.from, r.to, limit).toArray());
    } else {
      ({ bars: docs, generation } = await deps.cache.lastBarsWithGeneration(key, q.limit ?? 500));
      // The same bars give the same answer: serialised once per read of the series (1,000 bars are ~300 KB of JSON).
      memoKey = `${seriesId(key)}|${q.limit ?? 500}`;
      const memo = answers.get(memoKey);
      if (memo && memo.generation === generation) return reply.type("application/json; charset=utf-8").send(memo.body);
    }
    // Generated data anywhere in what is shown makes it synthetic (a series may mix real and generated bars, e.g. a
    // replayed day next to generated history); a rollup takes the provenance of the series it is built from.
    const shown = new Set(docs.map((d) => d.source).filter((x) => x !== "rollup"));
    const provenance = shown.has("synthetic")
      ? "synthetic"
      : (provenanceOf(await deps.cache.latestBars(), q.symbol, q.interval, source) ??
        ([...shown][0] as BarSource | undefined) ??
        null);
    const mixed = shown.size > 1;
    const body = JSON.stringify({
      symbol: q.symbol,
      interval: q.interval,
      source,
      provenance,
      mixed,
      count: docs.length,
      bars: docs.map(toApiBar),
    });
    if (memoKey) answers.set(memoKey, { generation, body });
    return reply.type("application/json; charset=utf-8").send(body);
  });

  app.get("/api/cross-asset/series", async (req) => {
    parseQuery(EmptyQuery, req.query);
    const markers = await deps.cache.crossAssetSeries();
    return {
      series: markers.map((m) => m._id),
      details: markers.map((m) => ({
        series: m._id,
        kind: m.kind,
        a: m.a,
        b: m.b,
        from: m.from.toISOString(),
        to: m.to.toISOString(),
        source: m.source,
      })),
    };
  });

  app.get("/api/cross-asset", async (req) => {
    const q = parseQuery(CrossAssetQuery, req.query);
    const interval = q.series.split("|")[1] as Interval;
    const r = resolveRange(q, interval, deps.maxBars);
    const docs = (await deps.cache.crossAsset(q.series))
      .filter((d) => d.ts >= r.from && d.ts < r.to)
      .slice(0, deps.maxBars);
    const marker = (await deps.cache.crossAssetSeries()).find((m) => m._id === q.series);
    return {
      series: q.series,
      source: marker?.source ?? docs[0]?.source ?? null,
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
    const [mongo, kafka] = await Promise.all([mongoHealth(), kafkaStats?.() ?? Promise.resolve(null)]);
    const series = universeSeries();
    const stored = mongo.ok ? await deps.cache.latestBars().catch(() => new Map()) : new Map();
    const latest = series.map((s) => stored.get(latestBarKey(s.symbol, s.interval, "scraped")) ?? null);
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
    if (!kafkaStats) return { ok: false, disabled: true, topics: [], deadLetters: null, totalLag: null };
    const stats = await kafkaStats();
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
    const source = resolveSource(q.symbol, q.interval, q.source, await deps.cache.latestBars());
    res.write(`event: ready\ndata: ${JSON.stringify({ symbol: q.symbol, interval: q.interval, source })}\n\n`);
    const unsubscribe = deps.cache.subscribe({ symbol: q.symbol, interval: q.interval, source }, (bars) => {
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

  registerCandleRoutes(app, deps.db);

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
    deps.cache.stop();
  });

  return app;
}
