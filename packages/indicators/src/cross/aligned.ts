import { checkState, checkValue, InvalidInputError, isPrice } from "../errors.ts";
import { dec, enc, type Num, type Series } from "../state.ts";
import type { PairMetric, PairState } from "./pair.ts";

export type Side = "a" | "b";

export interface AlignedOptions {
  /**
   * Most unpaired values one side holds while it waits for the other (default 1,024): a side may run that many values
   * ahead of the other and still have each of them paired. Beyond, the oldest waiting value is dropped (`dropped`).
   */
  maxPending?: number;
}

export interface AlignedState {
  v: 2;
  metric: PairState;
  /** [last ts of a, last ts of b, a's value of the last pair, b's value of the last pair, ts of the last pair] */
  s: Num[];
  /** Values waiting for their partner, per side, flat [ts, value, ts, value, …] in ts order. */
  pa: Num[];
  pb: Num[];
  maxPending: number;
  dropped: number;
}

/** The state Aligned wrote before the buffered join (lockstep only): [tsA, tsB, vA, vB, lastTs]. */
interface AlignedStateV1 {
  v?: undefined;
  metric: PairState;
  s: Num[];
}

const DEFAULT_MAX_PENDING = 1_024;

/**
 * Joins two streams by timestamp and feeds a PairMetric. Rule:
 * - update(ts, side, value): each side's timestamps must be non-decreasing (an older ts throws InvalidInputError
 *   field "ts"); the same ts again on a side replaces that side's value (still-forming bar).
 * - A value waits (up to `maxPending` per side) until the other side reaches its ts: when the other side sends the
 *   same ts the pair is emitted, with metric.update(a, b) the first time and metric.replace(a, b) when a side re-sends
 *   the ts of the last pair. So a side that runs ahead, or lags behind, is paired as if both had arrived in lockstep:
 *   the same pairs, in ts order, as alignedBatch on the same two series.
 * - A value whose ts the other side has passed without sending it is dropped (inner join; no fill-forward).
 * Returns the metric value when this update emitted (undefined otherwise or until warm); `lastTs` is the last
 * emitted timestamp, `emitted` says whether this update emitted.
 */
export class Aligned<M extends PairMetric = PairMetric> {
  readonly metric: M;
  readonly maxPending: number;
  private tsA = Number.NaN;
  private tsB = Number.NaN;
  private pairA = Number.NaN;
  private pairB = Number.NaN;
  /** Unpaired values of each side, flat [ts, value, …] in ts order; every ts is after the other side's last ts. */
  private pendA: number[] = [];
  private pendB: number[] = [];
  lastTs = Number.NaN;
  /** Whether the last update() emitted a pair (update or replace of the metric). */
  emitted = false;
  /** Values dropped because their side held `maxPending` unpaired values already. */
  dropped = 0;

  constructor(metric: M, opts: AlignedOptions = {}) {
    this.metric = metric;
    const max = opts.maxPending ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(max) || max < 1) throw new InvalidInputError("maxPending", max, "must be an integer >= 1");
    this.maxPending = max;
  }
  get lookback(): number {
    return this.metric.lookback;
  }
  get isWarm(): boolean {
    return this.metric.isWarm;
  }
  get value(): number | undefined {
    return this.metric.value;
  }
  /** Values waiting for their partner: [side a, side b]. */
  get pending(): [number, number] {
    return [this.pendA.length / 2, this.pendB.length / 2];
  }

  update(ts: number, side: Side, value: number): number | undefined {
    if (side !== "a" && side !== "b") throw new InvalidInputError("side", side, 'must be "a" or "b"');
    checkValue("ts", ts);
    const floor = this.metric.floor;
    if (!isPrice(value, floor)) {
      const reason = floor === 0 ? "must be finite and > 0" : "must be finite";
      throw new InvalidInputError(side, value, typeof value === "number" ? reason : `must be a number; ${reason}`);
    }
    const isA = side === "a";
    const own = isA ? this.tsA : this.tsB;
    if (ts < own) throw new InvalidInputError("ts", ts, `older than the last ${side} timestamp ${own}`);
    this.emitted = false;
    const mine = isA ? this.pendA : this.pendB;
    if (ts === own) {
      // The same ts again on this side: a new value for it.
      if (ts === this.lastTs) {
        if (isA) this.pairA = value;
        else this.pairB = value;
        return this.emit(ts, true);
      }
      if (mine.length > 0 && mine[mine.length - 2] === ts) mine[mine.length - 1] = value;
      return undefined;
    }
    if (isA) this.tsA = ts;
    else this.tsB = ts;
    const theirs = isA ? this.pendB : this.pendA;
    // The other side's values before ts can no longer pair: this side has passed them.
    let k = 0;
    while (k < theirs.length && theirs[k]! < ts) k += 2;
    if (k > 0) theirs.splice(0, k);
    if (theirs.length > 0 && theirs[0] === ts) {
      const partner = theirs[1]!;
      theirs.splice(0, 2);
      this.pairA = isA ? value : partner;
      this.pairB = isA ? partner : value;
      return this.emit(ts, false);
    }
    // Wait for the other side, unless it has passed this ts already.
    const other = isA ? this.tsB : this.tsA;
    if (!(ts < other)) {
      mine.push(ts, value);
      if (mine.length > 2 * this.maxPending) {
        mine.splice(0, 2);
        this.dropped++;
      }
    }
    return undefined;
  }

  private emit(ts: number, again: boolean): number | undefined {
    const r = again ? this.metric.replace(this.pairA, this.pairB) : this.metric.update(this.pairA, this.pairB);
    this.lastTs = ts;
    this.emitted = true;
    return r;
  }

  toJSON(): AlignedState {
    return {
      v: 2,
      metric: this.metric.toJSON(),
      s: [enc(this.tsA), enc(this.tsB), enc(this.pairA), enc(this.pairB), enc(this.lastTs)],
      pa: [...this.pendA],
      pb: [...this.pendB],
      maxPending: this.maxPending,
      dropped: this.dropped,
    };
  }

  /** Restore: pass the metric restored with its own fromJSON(state.metric). */
  static fromJSON<M extends PairMetric>(st: AlignedState | AlignedStateV1, metric: M): Aligned<M> {
    checkState(Array.isArray(st?.s) && st.s.length === 5, "aligned");
    if (st.v === 2) {
      const r = new Aligned(metric, { maxPending: st.maxPending });
      [r.tsA, r.tsB, r.pairA, r.pairB, r.lastTs] = st.s.map(dec) as [number, number, number, number, number];
      r.pendA = st.pa.map(dec);
      r.pendB = st.pb.map(dec);
      r.dropped = st.dropped;
      return r;
    }
    // Lockstep state: each side's current value is the last pair's where its ts is the pair's, else it waits (unless
    // the other side has passed it).
    const r = new Aligned(metric);
    const [tsA, tsB, vA, vB, lastTs] = st.s.map(dec) as [number, number, number, number, number];
    [r.tsA, r.tsB, r.lastTs] = [tsA, tsB, lastTs];
    if (tsA === lastTs) r.pairA = vA;
    else if (!Number.isNaN(tsA) && !(tsA < tsB)) r.pendA = [tsA, vA];
    if (tsB === lastTs) r.pairB = vB;
    else if (!Number.isNaN(tsB) && !(tsB < tsA)) r.pendB = [tsB, vB];
    return r;
  }
}

export interface AlignedSeries {
  /** Joined timestamps (present on both sides), ascending. */
  ts: Float64Array;
  values: Float64Array;
}

/**
 * Batch form: merges the two series by timestamp (each ascending; ties feed a before b; a repeated ts on one side
 * replaces the earlier value) through the streaming Aligned wrapper, so batch and streaming cannot drift. Output has
 * one row per joined timestamp, NaN during warm-up. (In merged order a waiting value is only ever evicted when a newer
 * one of its side waits too, i.e. when it could not pair: maxPending never changes the result here.)
 */
export function alignedBatch(metric: PairMetric, tsA: Series, a: Series, tsB: Series, b: Series): AlignedSeries {
  const al = new Aligned(metric);
  const cap = Math.min(tsA.length, tsB.length);
  const outTs = new Float64Array(cap);
  const out = new Float64Array(cap);
  let k = 0;
  let i = 0;
  let j = 0;
  const feed = (ts: number, side: Side, v: number) => {
    const before = al.lastTs;
    const r = al.update(ts, side, v);
    if (!al.emitted) return;
    if (before !== ts) outTs[k++] = ts;
    out[k - 1] = r === undefined ? Number.NaN : r;
  };
  while (i < tsA.length || j < tsB.length) {
    if (j >= tsB.length || (i < tsA.length && tsA[i]! <= tsB[j]!)) {
      feed(tsA[i]!, "a", a[i]!);
      i++;
    } else {
      feed(tsB[j]!, "b", b[j]!);
      j++;
    }
  }
  return { ts: outTs.slice(0, k), values: out.slice(0, k) };
}
