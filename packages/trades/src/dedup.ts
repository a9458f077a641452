// Trade ids already applied, kept only as long as a re-sent trade could still be applied: ids are bucketed by the
// second of their event time, and a bucket is forgotten once the watermark passes its end (every trade of it would
// be refused as late by then anyway). Memory is therefore bounded by the trades of the last allowed-lateness span.
const BUCKET_MS = 1_000;

export type DedupState = [bucketStart: number, ids: string[]][];

export class RecentIds {
  private readonly buckets = new Map<number, Set<string>>();
  /** Buckets below this start are gone. */
  private prunedTo = Number.NEGATIVE_INFINITY;
  /** The bucket of the last call (most trades fall into the second of the one before). */
  private lastStart = Number.NaN;
  private lastIds: Set<string> | undefined;

  /** True if the id was seen in its second already (then nothing changes); otherwise records it. */
  seen(id: string, ts: number): boolean {
    const start = ts - (ts % BUCKET_MS);
    let ids = start === this.lastStart ? this.lastIds : this.buckets.get(start);
    if (ids === undefined) {
      ids = new Set();
      this.buckets.set(start, ids);
    } else if (ids.has(id)) return true;
    ids.add(id);
    this.lastStart = start;
    this.lastIds = ids;
    return false;
  }

  /** True if the id is known (without recording it). */
  has(id: string, ts: number): boolean {
    return this.buckets.get(ts - (ts % BUCKET_MS))?.has(id) ?? false;
  }

  /** Forgets every bucket that ends at or before the watermark. */
  prune(watermark: number): void {
    const last = watermark - BUCKET_MS;
    if (!Number.isFinite(last) || last < this.prunedTo) return;
    // Walk the seconds one by one while that is cheaper than scanning the buckets (a long-idle symbol jumps far).
    if ((last - this.prunedTo) / BUCKET_MS <= this.buckets.size) {
      for (let b = this.prunedTo; b <= last; b += BUCKET_MS) this.buckets.delete(b);
    } else {
      for (const b of this.buckets.keys()) if (b <= last) this.buckets.delete(b);
    }
    this.prunedTo = last - (last % BUCKET_MS) + BUCKET_MS;
    if (this.lastStart < this.prunedTo) this.lastIds = undefined;
    if (this.lastIds === undefined) this.lastStart = Number.NaN;
  }

  get size(): number {
    let n = 0;
    for (const s of this.buckets.values()) n += s.size;
    return n;
  }

  toJSON(): DedupState {
    return [...this.buckets].sort((a, b) => a[0] - b[0]).map(([start, ids]) => [start, [...ids]] as [number, string[]]);
  }

  static fromJSON(state: DedupState): RecentIds {
    const r = new RecentIds();
    for (const [start, ids] of state) r.buckets.set(start, new Set(ids));
    return r;
  }
}
