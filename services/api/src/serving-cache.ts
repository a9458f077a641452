// What the API serves from memory, kept current from the small collections the writers maintain (latest_bars,
// cross_asset_series; packages/core/src/store/latest.ts):
//
// - every series' latest bar and every cross-asset series' extent: re-read each pollMs (a few dozen documents);
// - the last `maxBars` bars of a series, and a cross-asset series, once asked for: read once, then read again only
//   when the series' latest document changes (new ts, or the same ts with a newer processedTs: a partial bar made
//   final, or a rewrite after a late bar), one series at a time in the background.
//
// Why: on FerretDB 1.24 (SQLite) every find() is a full scan of its collection (docs/serving.md), so a request that
// queries the bar collections costs ~0.4 ms per stored document: seconds at a few thousand bars. From memory the
// dashboard's requests take a few milliseconds whatever the data size; on MongoDB the indexed reads behind the
// cache are cheap anyway. Live updates (server-sent events) come from the same change detection, without polling
// each watched series (FerretDB has no change streams).
import {
  type BarDocument,
  type CrossAssetDocument,
  type CrossAssetSeriesDocument,
  crossAssetSeriesCursor,
  type LatestBarDocument,
  type Logger,
  lastBarsCursor,
  latestBarKey,
  readCrossAssetSeries,
  readLatestBars,
  type SeriesKey,
} from "@quant/core";
import type { Db } from "mongodb";

export type BarListener = (bars: BarDocument[]) => void;

interface CachedSeries {
  key: SeriesKey;
  /** Oldest first, at most maxBars. */
  bars: BarDocument[];
  /** The latest_bars document the bars were read after (ts and processedTs), or null when there was none. */
  version: string | null;
  /** Read at least once. */
  loaded: boolean;
  /** Bumped at every read: lets callers reuse what they built from the same bars (e.g. a serialised answer). */
  generation: number;
  loading: Promise<void> | null;
  listeners: Set<BarListener>;
  /** Newest bar pushed to listeners. */
  sentTs: number;
  sentProcessed: number;
}

interface CachedCrossAsset {
  points: CrossAssetDocument[];
  version: string | null;
  loading: Promise<void> | null;
}

const versionOf = (d: { ts: Date; processedTs: Date } | undefined): string | null =>
  d ? `${d.ts.getTime()}|${d.processedTs?.getTime() ?? 0}` : null;

export const seriesId = (k: SeriesKey) => latestBarKey(k.symbol, k.interval, k.source ?? "scraped");

export class ServingCache {
  readonly #db: Db;
  readonly #pollMs: number;
  readonly #maxBars: number;
  readonly #log: Logger;
  #latest = new Map<string, LatestBarDocument>();
  #crossSeries: CrossAssetSeriesDocument[] = [];
  #snapshot: Promise<void> | null = null;
  #series = new Map<string, CachedSeries>();
  #cross = new Map<string, CachedCrossAsset>();
  /** Reloads run one at a time: the server is not asked for several full reads at once. */
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  /** Completed poll rounds (tests wait on it). */
  rounds = 0;

  constructor(db: Db, opts: { pollMs: number; maxBars: number; logger: Logger }) {
    this.#db = db;
    this.#pollMs = opts.pollMs;
    this.#maxBars = opts.maxBars;
    this.#log = opts.logger.child({ component: "serving-cache" });
  }

  /** Starts the poll timer (unref'd); stop() ends it. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.#pollMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The latest bar of every series, by `SYMBOL|interval|kind` (read on first use, then by the poller). */
  async latestBars(): Promise<Map<string, LatestBarDocument>> {
    await this.#firstSnapshot();
    return this.#latest;
  }

  async crossAssetSeries(): Promise<CrossAssetSeriesDocument[]> {
    await this.#firstSnapshot();
    return this.#crossSeries;
  }

  /** The first read of the small collections (shared by concurrent callers; retried after a failure). */
  #firstSnapshot(): Promise<void> {
    this.#snapshot ??= this.#readSnapshot().catch((err: unknown) => {
      this.#snapshot = null;
      throw err;
    });
    return this.#snapshot;
  }

  /** The newest `limit` bars of a series (at most maxBars), oldest first. */
  async lastBars(key: SeriesKey, limit: number): Promise<BarDocument[]> {
    return (await this.lastBarsWithGeneration(key, limit)).bars;
  }

  /** lastBars, with the generation of the cached bars (it changes whenever they are read again). */
  async lastBarsWithGeneration(key: SeriesKey, limit: number): Promise<{ bars: BarDocument[]; generation: number }> {
    const s = await this.#loaded(key);
    return { bars: s.bars.slice(-Math.min(limit, this.#maxBars)), generation: s.generation };
  }

  /**
   * Bars with from <= ts < to from memory when the cached window covers the range (the series has no bar before
   * its first cached one, or the range starts after it); null when it must be read from the store.
   */
  async rangeBars(key: SeriesKey, from: Date, to: Date, limit: number): Promise<BarDocument[] | null> {
    const s = await this.#loaded(key);
    const complete = s.bars.length < this.#maxBars;
    const first = s.bars[0]?.ts.getTime();
    if (!complete && (first === undefined || from.getTime() < first)) return null;
    return s.bars.filter((b) => b.ts >= from && b.ts < to).slice(0, limit);
  }

  /** Every point of a cross-asset series, oldest first. */
  async crossAsset(series: string): Promise<CrossAssetDocument[]> {
    const known = (await this.crossAssetSeries()).some((m) => m._id === series);
    // A series without its cross_asset_series document (unknown, or written before it existed): not cached.
    if (!known) return crossAssetSeriesCursor(this.#db, series).toArray();
    let c = this.#cross.get(series);
    if (!c) {
      c = { points: [], version: null, loading: null };
      this.#cross.set(series, c);
      c.loading = this.#reloadCross(series, c);
    }
    await c.loading;
    return c.points;
  }

  /** Pushes bars of the series that appear from now on; returns the unsubscribe function. */
  subscribe(key: SeriesKey, listener: BarListener): () => void {
    const s = this.#entry(key);
    s.listeners.add(listener);
    void this.#loaded(key).catch(() => {});
    this.start();
    return () => {
      s.listeners.delete(listener);
    };
  }

  get listeners(): number {
    let n = 0;
    for (const s of this.#series.values()) n += s.listeners.size;
    return n;
  }

  /** One round: re-read the small collections, reload what changed (the timer calls it; tests may too). */
  async poll(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#readSnapshot();
      this.#snapshot ??= Promise.resolve();
      const reloads: Promise<void>[] = [];
      for (const [id, s] of this.#series) {
        if (s.loading || !s.loaded) continue;
        if (versionOf(this.#latest.get(id)) !== s.version) reloads.push(this.#reload(s));
      }
      for (const [series, c] of this.#cross) {
        const m = this.#crossSeries.find((x) => x._id === series);
        if (!c.loading && versionOf(m && { ts: m.to, processedTs: m.processedTs }) !== c.version)
          reloads.push((c.loading = this.#reloadCross(series, c)));
      }
      await Promise.all(reloads);
      this.rounds++;
    } catch (err) {
      if (this.#timer !== null) this.#log.warn({ err: String(err) }, "poll failed");
    } finally {
      this.#running = false;
    }
  }

  async #readSnapshot(): Promise<void> {
    const [latest, cross] = await Promise.all([readLatestBars(this.#db), readCrossAssetSeries(this.#db)]);
    this.#latest = new Map(latest.map((d) => [d._id, d]));
    this.#crossSeries = cross;
  }

  #entry(key: SeriesKey): CachedSeries {
    const id = seriesId(key);
    let s = this.#series.get(id);
    if (!s) {
      s = {
        key,
        bars: [],
        version: null,
        loaded: false,
        generation: 0,
        loading: null,
        listeners: new Set(),
        sentTs: -1,
        sentProcessed: 0,
      };
      this.#series.set(id, s);
    }
    return s;
  }

  async #loaded(key: SeriesKey): Promise<CachedSeries> {
    const s = this.#entry(key);
    if (!s.loaded) {
      await this.latestBars();
      await this.#reload(s);
    }
    if (s.loading) await s.loading;
    return s;
  }

  #reload(s: CachedSeries): Promise<void> {
    if (s.loading) return s.loading;
    const version = versionOf(this.#latest.get(seriesId(s.key)));
    const run = async () => {
      const docs = (await lastBarsCursor(this.#db, s.key, this.#maxBars).toArray()).reverse();
      s.bars = docs;
      s.version = version;
      s.loaded = true;
      s.generation++;
      this.#notify(s);
    };
    const p = (this.#queue = this.#queue.then(run, run));
    s.loading = p.finally(() => {
      s.loading = null;
    });
    return s.loading;
  }

  #notify(s: CachedSeries): void {
    const last = s.bars.at(-1);
    if (s.sentTs === -1) {
      // First read: listeners start from here.
      s.sentTs = last?.ts.getTime() ?? 0;
      s.sentProcessed = last?.processedTs?.getTime() ?? 0;
      return;
    }
    const fresh = s.bars.filter(
      (d) =>
        d.ts.getTime() > s.sentTs || (d.ts.getTime() === s.sentTs && (d.processedTs?.getTime() ?? 0) > s.sentProcessed),
    );
    if (last) {
      s.sentTs = Math.max(s.sentTs, last.ts.getTime());
      s.sentProcessed = last.processedTs?.getTime() ?? 0;
    }
    if (fresh.length > 0) for (const l of s.listeners) l(fresh);
  }

  #reloadCross(series: string, c: CachedCrossAsset): Promise<void> {
    const m = this.#crossSeries.find((x) => x._id === series);
    const version = versionOf(m && { ts: m.to, processedTs: m.processedTs });
    const run = async () => {
      c.points = await crossAssetSeriesCursor(this.#db, series).toArray();
      c.version = version;
    };
    const p = (this.#queue = this.#queue.then(run, run));
    return p.finally(() => {
      c.loading = null;
    });
  }
}
