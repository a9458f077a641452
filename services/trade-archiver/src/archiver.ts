// Trades of the topic -> Parquet objects in the lake. Per partition, decoded trades are buffered in offset order;
// a flush (rows or age due, or a stop) writes one object per (asset, symbol, date) of the buffer, named by its first
// offset, and then commits the partition's offset. A crash replays from the last commit: the first offset of each
// group is then the same, so the objects are rewritten (as supersets when the replayed flush runs longer), and
// readers drop repeated (partition, offset) rows anyway. Messages that are not trades are left out (the candle
// aggregator dead-letters them); counted here.
import {
  type IncomingBatch,
  type Logger,
  type ObjectStore,
  type TradeRow,
  tradeDate,
  tradeObjectKey,
  writeTradesParquet,
} from "@quant/core";
import { decodeTrade, RejectedTrade } from "@quant/trades";
import pLimit, { type LimitFunction } from "p-limit";

interface PartitionBuffer {
  topic: string;
  partition: number;
  rows: TradeRow[];
  /** The offset after the last message buffered. */
  nextOffset: number;
  /** Date.now() when the oldest buffered row arrived. */
  since: number;
  /** Flushes of this partition, one at a time, in order (a later commit never overtakes an earlier write). */
  lane: LimitFunction;
}

export interface FlushStats {
  partition: number;
  rows: number;
  objects: number;
  bytes: number;
  ms: number;
}

export interface ArchiverDeps {
  store: ObjectStore;
  commit(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  flushMs: number;
  maxRows: number;
  logger: Logger;
  onFlush?(stats: FlushStats): void;
}

export class TradeArchiver {
  /** Messages that were not trades (not archived). */
  skipped = 0;
  private readonly deps: ArchiverDeps;
  private readonly log: Logger;
  private buffers = new Map<number, PartitionBuffer>();

  constructor(deps: ArchiverDeps) {
    this.deps = deps;
    this.log = deps.logger.child({ component: "archiver" });
  }

  /** On every group join: buffered rows are dropped; whoever owns a partition replays it from its commit. */
  onAssignment(): void {
    this.buffers = new Map();
  }

  async handleBatch(
    batch: IncomingBatch,
    control: { resolveOffset(o: string): void; isStale(): boolean; heartbeat(): Promise<void> },
  ): Promise<void> {
    if (batch.messages.length === 0 || control.isStale()) return;
    let b = this.buffers.get(batch.partition);
    if (!b) {
      b = {
        topic: batch.topic,
        partition: batch.partition,
        rows: [],
        nextOffset: 0,
        since: Date.now(),
        lane: pLimit(1),
      };
      this.buffers.set(batch.partition, b);
    }
    if (b.rows.length === 0) b.since = Date.now();
    for (const m of batch.messages) {
      try {
        b.rows.push({ ...decodeTrade(m.value, m.key), partition: m.partition, offset: Number(m.offset) });
      } catch (err) {
        if (!(err instanceof RejectedTrade)) throw err;
        this.skipped++;
      }
    }
    const last = batch.messages[batch.messages.length - 1]!;
    b.nextOffset = Number(last.offset) + 1;
    control.resolveOffset(last.offset);
    if (b.rows.length >= this.deps.maxRows) {
      // Writing a large buffer takes seconds: the membership must not lapse meanwhile.
      const keepAlive = setInterval(() => control.heartbeat().catch(() => {}), 1_000);
      try {
        await this.flush(b);
      } finally {
        clearInterval(keepAlive);
      }
    }
  }

  /** Flushes the partitions whose oldest row is due (a timer calls it). */
  async flushDue(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...this.buffers.values()]
        .filter((b) => b.rows.length > 0 && now - b.since >= this.deps.flushMs)
        .map((b) => this.flush(b)),
    );
  }

  /** Everything buffered, and the offsets (a clean stop). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.buffers.values()].map((b) => this.flush(b, true)));
  }

  private flush(b: PartitionBuffer, always = false): Promise<void> {
    // Taken now, written in order: rows arriving meanwhile start the next flush.
    const rows = b.rows;
    const nextOffset = b.nextOffset;
    if (rows.length === 0 && !always) return Promise.resolve();
    b.rows = [];
    b.since = Date.now();
    return b.lane(async () => {
      try {
        await this.write(b, rows, nextOffset);
      } catch (err) {
        // Nothing committed: the rows go back in front of the buffer and the next flush writes them (under the
        // same names: the first offset of each group is unchanged), then commits past them.
        b.rows = [...rows, ...b.rows];
        this.log.warn(
          { partition: b.partition, rows: rows.length, err: (err as Error).message },
          "archive write failed; retrying at the next flush",
        );
      }
    });
  }

  private async write(b: PartitionBuffer, rows: TradeRow[], nextOffset: number): Promise<void> {
    const started = performance.now();
    const groups = new Map<string, TradeRow[]>();
    for (const r of rows) {
      const key = tradeObjectKey({
        assetClass: r.assetClass,
        symbol: r.symbol,
        date: tradeDate(r.ts),
        partition: r.partition,
        firstOffset: 0,
      });
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    let bytes = 0;
    for (const g of groups.values()) {
      const f = g[0]!;
      const key = tradeObjectKey({
        assetClass: f.assetClass,
        symbol: f.symbol,
        date: tradeDate(f.ts),
        partition: f.partition,
        firstOffset: f.offset,
      });
      const body = writeTradesParquet(g);
      await this.deps.store.put(key, body, { "content-type": "application/vnd.apache.parquet" });
      bytes += body.length;
    }
    if (nextOffset > 0)
      await this.deps.commit([{ topic: b.topic, partition: b.partition, offset: String(nextOffset) }]);
    const stats = {
      partition: b.partition,
      rows: rows.length,
      objects: groups.size,
      bytes,
      ms: Math.round(performance.now() - started),
    };
    this.log.info(stats, "trades archived");
    this.deps.onFlush?.(stats);
  }
}
