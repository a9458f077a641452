// Fewer MongoDB commands when several partitions are handled at once (STREAM_PARTITIONS_CONCURRENCY > 1):
// FerretDB charges ~10-20 ms per command whatever its size, so the writes that wait while one is in flight are
// merged into the next command instead of queueing one command each.
import pLimit, { type LimitFunction } from "p-limit";

/** One task at a time, in call order; a failed task does not hold up the next (p-limit with a concurrency of 1). */
export const serialLane = (): LimitFunction => pLimit(1);

interface Waiting<T> {
  items: readonly T[];
  heartbeat?: () => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Merges writes: write() resolves once its items are written (acknowledged by the sink), and rejects when the
 * command holding them fails (every write merged into it fails with it; they are idempotent and replayed).
 * Writes that arrive while the sink runs go out together in the next sink call, in arrival order.
 */
export class WriteCoalescer<T> {
  private readonly sink: (items: T[], heartbeat: () => Promise<void>) => Promise<void>;
  private waiting: Waiting<T>[] = [];
  private draining = false;

  /** heartbeat: one of the waiting writers' (they share the consumer group's), to call between long slices. */
  constructor(sink: (items: T[], heartbeat: () => Promise<void>) => Promise<void>) {
    this.sink = sink;
  }

  write(items: readonly T[], heartbeat?: () => Promise<void>): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ items, heartbeat, resolve, reject }));
    if (!this.draining) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      const beat = group.find((w) => w.heartbeat)?.heartbeat;
      try {
        await this.sink(
          group.flatMap((w) => w.items),
          beat ?? (() => Promise.resolve()),
        );
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    this.draining = false;
  }
}
