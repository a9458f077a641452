// Live bars without change streams (FerretDB v1 has none): one poller per process looks, every pollMs, for bars
// newer than the last one sent of each series someone listens to (one indexed query per series), and for a
// rewrite of that last bar (partial -> final: same ts, newer processedTs). Listeners get the bars in ts order.
import { type BarDocument, barsRangeCursor, type Logger, latestBarCursor, type SeriesKey } from "@quant/core";
import type { Db } from "mongodb";

export type BarListener = (bars: BarDocument[]) => void;

interface SeriesState {
  key: SeriesKey;
  listeners: Set<BarListener>;
  lastTs: Date | null;
  lastProcessed: number;
  ready: Promise<void>;
}

const FAR_FUTURE = new Date(Date.UTC(9999, 0, 1));

export class LivePoller {
  readonly #db: Db;
  readonly #pollMs: number;
  readonly #log: Logger;
  readonly #series = new Map<string, SeriesState>();
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  /** Completed poll rounds (tests wait on it). */
  rounds = 0;

  constructor(db: Db, pollMs: number, logger: Logger) {
    this.#db = db;
    this.#pollMs = pollMs;
    this.#log = logger.child({ component: "live" });
  }

  get listeners(): number {
    let n = 0;
    for (const s of this.#series.values()) n += s.listeners.size;
    return n;
  }

  /** Starts listening from the series' current latest bar; returns the unsubscribe function. */
  subscribe(key: SeriesKey, listener: BarListener): () => void {
    const id = `${key.symbol}|${key.interval}|${key.source ?? "scraped"}`;
    let state = this.#series.get(id);
    if (!state) {
      const s: SeriesState = { key, listeners: new Set(), lastTs: null, lastProcessed: 0, ready: Promise.resolve() };
      s.ready = latestBarCursor(this.#db, key)
        .next()
        .then((d) => {
          s.lastTs = d?.ts ?? null;
          s.lastProcessed = d?.processedTs?.getTime() ?? 0;
        })
        .catch((err: unknown) => this.#log.warn({ err: String(err) }, "latest bar unavailable"));
      this.#series.set(id, s);
      state = s;
    }
    state.listeners.add(listener);
    this.#ensureTimer();
    return () => {
      state.listeners.delete(listener);
      if (state.listeners.size === 0) this.#series.delete(id);
      if (this.#series.size === 0) this.stop();
    };
  }

  #ensureTimer(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.#pollMs);
    this.#timer.unref();
  }

  /** One poll round (the timer calls it; tests may too). Overlapping rounds are skipped. */
  async poll(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await Promise.all(
        [...this.#series.values()].map(async (s) => {
          await s.ready;
          const from = s.lastTs ?? new Date(0);
          const docs = await barsRangeCursor(this.#db, s.key, from, FAR_FUTURE, 1_000).toArray();
          const fresh = docs.filter(
            (d) =>
              s.lastTs === null ||
              d.ts.getTime() > s.lastTs.getTime() ||
              (d.ts.getTime() === s.lastTs.getTime() && (d.processedTs?.getTime() ?? 0) > s.lastProcessed),
          );
          const last = docs.at(-1);
          if (last) {
            s.lastTs = last.ts;
            s.lastProcessed = last.processedTs?.getTime() ?? 0;
          }
          if (fresh.length > 0) for (const l of s.listeners) l(fresh);
        }),
      );
      this.rounds++;
    } catch (err) {
      // A round cut by shutdown (client closed) is not worth a warning.
      if (this.#timer !== null) this.#log.warn({ err: String(err) }, "poll failed");
    } finally {
      this.#running = false;
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
