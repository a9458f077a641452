// A rolling window of the last `capacity` values kept sorted as well as in arrival order, for robust statistics:
// median in O(1), median absolute deviation in O(n) (a merge walk outwards from the centre), push in O(n) (two
// shifts of a small typed array). The last push can be undone (a bar replaced by its final version).

export interface RobustWindowState {
  capacity: number;
  /** Oldest first. */
  values: number[];
  /** The value the last push dropped (null: it dropped none), for undo(). */
  evicted: number | null;
  /** Whether the last operation was a push that undo() may reverse. */
  undoable: boolean;
}

export class RobustWindow {
  readonly capacity: number;
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private n = 0;
  private evicted = 0;
  private hasEvicted = false;
  private undoable = false;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`window capacity: expected >= 1, got ${capacity}`);
    this.capacity = capacity;
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  push(x: number): void {
    const cap = this.capacity;
    if (this.n === cap) {
      const old = this.ring[this.head]!;
      this.removeSorted(old);
      this.ring[this.head] = x;
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.evicted = old;
      this.hasEvicted = true;
    } else {
      this.ring[(this.head + this.n) % cap] = x;
      this.n++;
      this.hasEvicted = false;
    }
    this.insertSorted(x);
    this.undoable = true;
  }

  /** Reverses the last push (restoring the value it dropped). */
  undo(): void {
    if (!this.undoable) throw new Error("RobustWindow.undo: nothing to undo");
    const cap = this.capacity;
    const newest = (this.head + this.n - 1) % cap;
    this.removeSorted(this.ring[newest]!);
    if (this.hasEvicted) {
      this.head = this.head === 0 ? cap - 1 : this.head - 1;
      this.ring[this.head] = this.evicted;
      this.insertSorted(this.evicted);
    } else {
      this.n--;
    }
    this.undoable = false;
    this.hasEvicted = false;
  }

  median(): number {
    const n = this.n;
    if (n === 0) return Number.NaN;
    const s = this.sorted;
    return n % 2 === 1 ? s[(n - 1) >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  }

  /** Median of |x - centre| over the window. */
  mad(centre: number): number {
    const n = this.n;
    if (n === 0) return Number.NaN;
    const s = this.sorted;
    // Distances grow walking left from the first value >= centre and walking right from it: merge the two walks.
    let right = this.lowerBound(centre);
    let left = right - 1;
    const lo = (n - 1) >> 1;
    const hi = n >> 1;
    let a = 0;
    for (let rank = 0; rank <= hi; rank++) {
      let d: number;
      const dl = left >= 0 ? centre - s[left]! : Number.POSITIVE_INFINITY;
      const dr = right < n ? s[right]! - centre : Number.POSITIVE_INFINITY;
      if (dl <= dr) {
        d = dl;
        left--;
      } else {
        d = dr;
        right++;
      }
      if (rank === lo) a = d;
      if (rank === hi) return lo === hi ? a : (a + d) / 2;
    }
    return a;
  }

  toJSON(): RobustWindowState {
    const values: number[] = [];
    for (let i = 0; i < this.n; i++) values.push(this.ring[(this.head + i) % this.capacity]!);
    return {
      capacity: this.capacity,
      values,
      evicted: this.hasEvicted ? this.evicted : null,
      undoable: this.undoable,
    };
  }

  static fromJSON(s: RobustWindowState): RobustWindow {
    const w = new RobustWindow(s.capacity);
    if (!Array.isArray(s.values) || s.values.length > s.capacity) throw new Error("RobustWindow state: bad values");
    for (const v of s.values) w.push(v);
    w.hasEvicted = s.evicted !== null;
    w.evicted = s.evicted ?? 0;
    w.undoable = s.undoable;
    return w;
  }

  /** First index of sorted whose value is >= x. */
  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertSorted(x: number): void {
    const s = this.sorted;
    // The live values are s[0..n) once the ring holds x: n counts it already, so shift within n - 1.
    let i = this.n - 1;
    while (i > 0 && s[i - 1]! > x) {
      s[i] = s[i - 1]!;
      i--;
    }
    s[i] = x;
  }

  private removeSorted(x: number): void {
    const s = this.sorted;
    const len = this.n;
    const i = this.lowerBound(x);
    if (i >= len || s[i] !== x) throw new Error(`RobustWindow: ${x} is not in the window`);
    s.copyWithin(i, i + 1, len);
  }
}
