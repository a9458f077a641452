import { checkValue, InvalidInputError } from "../errors.ts";
import { dec, enc, type Num, type Series } from "../state.ts";
import type { PairMetric, PairState } from "./pair.ts";

export type Side = "a" | "b";

export interface AlignedState {
  metric: PairState;
  s: Num[];
}

/**
 * Joins two streams by timestamp and feeds a PairMetric. Rule:
 * - update(ts, side, value): each side's timestamps must be non-decreasing (an older ts throws InvalidInputError
 *   field "ts"); the same ts again on a side replaces that side's value (still-forming bar).
 * - A pair is emitted when both sides hold the same ts: the first time with metric.update(a, b), afterwards (a side
 *   re-sent for an already emitted ts) with metric.replace(a, b).
 * - A value with no partner at its ts is dropped once its side moves past it (inner join; no fill-forward).
 * Returns the metric value when this update emitted (undefined otherwise or until warm); `lastTs` is the last
 * emitted timestamp.
 */
export class Aligned<M extends PairMetric = PairMetric> {
  readonly metric: M;
  private tsA = Number.NaN;
  private tsB = Number.NaN;
  private vA = Number.NaN;
  private vB = Number.NaN;
  lastTs = Number.NaN;
  /** Whether the last update() emitted a pair (update or replace of the metric). */
  emitted = false;

  constructor(metric: M) {
    this.metric = metric;
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

  update(ts: number, side: Side, value: number): number | undefined {
    checkValue("ts", ts);
    const floor = this.metric.floor;
    if (!(value > floor && value < Infinity)) {
      throw new InvalidInputError(
        side === "a" ? "a" : "b",
        value,
        floor === 0 ? "must be finite and > 0" : "must be finite",
      );
    }
    const own = side === "a" ? this.tsA : this.tsB;
    if (ts < own) throw new InvalidInputError("ts", ts, `older than the last ${side} timestamp ${own}`);
    if (side === "a") {
      this.tsA = ts;
      this.vA = value;
    } else if (side === "b") {
      this.tsB = ts;
      this.vB = value;
    } else throw new InvalidInputError("side", side, 'must be "a" or "b"');
    this.emitted = false;
    if (this.tsA !== this.tsB) return undefined;
    const r = ts === this.lastTs ? this.metric.replace(this.vA, this.vB) : this.metric.update(this.vA, this.vB);
    this.lastTs = ts;
    this.emitted = true;
    return r;
  }

  toJSON(): AlignedState {
    return {
      metric: this.metric.toJSON(),
      s: [enc(this.tsA), enc(this.tsB), enc(this.vA), enc(this.vB), enc(this.lastTs)],
    };
  }

  /** Restore: pass the metric restored with its own fromJSON(state.metric). */
  static fromJSON<M extends PairMetric>(st: AlignedState, metric: M): Aligned<M> {
    const r = new Aligned(metric);
    [r.tsA, r.tsB, r.vA, r.vB, r.lastTs] = st.s.map(dec) as [number, number, number, number, number];
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
 * one row per joined timestamp, NaN during warm-up.
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
