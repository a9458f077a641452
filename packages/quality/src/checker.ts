// The quality checks of one (symbol, interval) series in streaming form: update() for each new bar, replace() for a
// new version of the last bar (the final bar after a partial one, or a correction), per-day counts as bars arrive.
// Like BarIndicators, its state is a JSON document (checkpointed with the indicators), and the batch form
// (checkSeries) is this class fed a whole series, so the stream and the batch flag the same bars.
//
// Each check sees only the bars before the one it judges (nothing is flagged in hindsight), with one exception that
// the data forces: a partial bar is flagged `incomplete` when a later bar arrives before its final version.
import {
  type AssetClass,
  type Bar,
  type BarContent,
  type BarQuality,
  barContent,
  emptyDayCounts,
  type Interval,
  QUALITY_FLAGS,
  type QualityDayCounts,
  type QualityFlag,
  sameBarContent,
} from "@quant/core";
import { QUALITY_DEFAULTS, type QualityParams } from "./params.ts";
import { RobustWindow, type RobustWindowState } from "./robust-window.ts";
import { SlotCalendar } from "./slots.ts";

/** What the checks read of a bar: its market content, open time and trading date. */
export interface QualityInput extends BarContent {
  /** Open time, epoch ms. */
  ts: number;
  tradingDate: string;
}

/** The checks' view of a bar v1 (or of a stored document's bar). */
export function qualityInput(b: Pick<Bar, "ts" | "tradingDate"> & BarContent): QualityInput {
  return { ...barContent(b), ts: Date.parse(b.ts), tradingDate: b.tradingDate };
}

export interface QualitySeries {
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
}

/** One series' counts on one trading date, as the checker keeps them. */
export interface QualityDay {
  tradingDate: string;
  counts: QualityDayCounts;
  /** Open time of the day's last bar; null when it has none (all its expected bars missing). */
  lastTs: number | null;
}

const BIT = Object.fromEntries(QUALITY_FLAGS.map((f, i) => [f, 1 << i])) as Record<QualityFlag, number>;
const ANY_BUT_GAP = ((1 << QUALITY_FLAGS.length) - 1) & ~BIT.gap;
/** 1 / Φ⁻¹(3/4): the MAD of a normal sample times this estimates its standard deviation. */
const MAD_TO_SD = 1.4826;

/** A clean bar's quality: shared and frozen (most bars are clean; nothing mutates a BarQuality). */
export const CLEAN_QUALITY: BarQuality = Object.freeze({
  flags: Object.freeze([]) as unknown as QualityFlag[],
  missingBefore: 0,
  conflicts: 0,
});

/** A price level in both spaces: the raw close and the adjusted one (when the source gives it). */
interface Level {
  raw: number;
  adj: number | null;
}

interface LastBar extends QualityInput {
  onCal: boolean;
  mask: number;
  missingBefore: number;
  conflicts: number;
  /** Its return is measured from its own open (first bar, after a gap or across a session break). */
  brk: boolean;
  /** The level its return is measured from (the previous close, or its open). */
  from: Level;
  /** It made a run of unchanged closes reach the stale length. */
  reachedStale: boolean;
}

/** What the checks carry from one bar to the next (snapshotted before the last bar, so replace() can redo it). */
interface Carry {
  /** While the last bar is a return outlier: the level before it (a bar back at that level is not one). */
  ref: Level | null;
  staleClose: number | null;
  staleRun: number;
  pushedReturn: boolean;
  pushedRange: boolean;
}

export interface QualityCheckerState {
  kind: "qualityChecker";
  v: 1;
  last: LastBar | null;
  carry: Carry;
  before: Carry;
  returns: RobustWindowState;
  ranges: RobustWindowState;
  day: QualityDay | null;
  closed: QualityDay[];
}

/** Two versions of one bar id conflict when both are final and their market content differs. */
export function isConflictingVersion(a: BarContent, b: BarContent): boolean {
  return !a.partial && !b.partial && !sameBarContent(a, b);
}

const noCarry = (): Carry => ({ ref: null, staleClose: null, staleRun: 0, pushedReturn: false, pushedRange: false });

export class QualityChecker {
  readonly series: QualitySeries;
  readonly params: Readonly<QualityParams>;
  private readonly slots: SlotCalendar;
  /** Prices are compared in log space; yields (bonds, may be <= 0) in percentage points. */
  private readonly yields: boolean;
  private readonly tradesVolume: boolean;
  private readonly returnFloor: number;
  private readonly rangeFloor: number;
  private returns: RobustWindow;
  private ranges: RobustWindow;
  private last: LastBar | null = null;
  private carry: Carry = noCarry();
  private before: Carry = noCarry();
  private day: QualityDay | null = null;
  private closed: QualityDay[] = [];
  private amended: BarQuality | null = null;

  constructor(series: QualitySeries, params: Readonly<QualityParams> = QUALITY_DEFAULTS) {
    this.series = { symbol: series.symbol, assetClass: series.assetClass, interval: series.interval };
    this.params = params;
    this.slots = new SlotCalendar(series.assetClass, series.interval);
    this.yields = series.assetClass === "bond";
    this.tradesVolume = series.assetClass !== "bond";
    this.returnFloor = this.yields ? params.returnScaleFloor.yield : params.returnScaleFloor.price;
    this.rangeFloor = this.yields ? params.rangeFloor.yield : params.rangeFloor.price;
    this.returns = new RobustWindow(params.window);
    this.ranges = new RobustWindow(params.window);
  }

  /** ts of the last bar, or null before the first. */
  get lastTs(): number | null {
    return this.last?.ts ?? null;
  }

  /**
   * After update(): the new quality of the previous bar when this update changed it (a partial bar that never got
   * its final version is now `incomplete`), else null. Its document must be rewritten.
   */
  get amendedPrevious(): BarQuality | null {
    return this.amended;
  }

  /**
   * A bar after the last one. `conflicts`: versions of this bar id already known to conflict (a recomputation
   * from stored documents passes what they recorded). Returns the bar's quality.
   */
  update(bar: QualityInput, conflicts = 0): BarQuality {
    const last = this.last;
    if (last && bar.ts <= last.ts)
      throw new Error(
        `quality ${this.series.symbol} ${this.series.interval}: update() at ${bar.ts} is not after ${last.ts}`,
      );
    this.amended = null;
    const onCal = this.slots.onCalendar(bar);
    let missingBefore = 0;
    let brk = true;
    let from: Level = { raw: bar.open, adj: null };
    if (last) {
      if (last.partial) this.amendIncomplete(last);
      for (const m of this.slots.missingBetween(last, bar, last.onCal && onCal)) {
        const c = this.dayFor(m.date).counts;
        c.missing += m.count;
        c.expected += m.count;
        c.gaps++;
        missingBefore += m.count;
      }
      if (missingBefore === 0 && !this.slots.isBreak(last, bar)) {
        brk = false;
        from = { raw: last.close, adj: last.adjClose };
      }
    }
    this.dayFor(bar.tradingDate);
    this.before = { ...this.carry };
    const { mask, reachedStale } = this.check(bar, from, onCal, missingBefore, conflicts);
    this.last = {
      ...barContent(bar),
      ts: bar.ts,
      tradingDate: bar.tradingDate,
      onCal,
      mask,
      missingBefore,
      conflicts,
      brk,
      from,
      reachedStale,
    };
    this.count(this.last, 1);
    return this.qualityOf(this.last);
  }

  /**
   * A new version of the last bar (same ts): the final bar after a partial one, or a correction. A final version
   * that differs from a final one is a conflict. (A partial version behind a final one is a replay: callers skip it.)
   */
  replace(bar: QualityInput): BarQuality {
    const last = this.last;
    if (!last || bar.ts !== last.ts)
      throw new Error(
        `quality ${this.series.symbol} ${this.series.interval}: replace() at ${bar.ts} is not the last bar`,
      );
    this.amended = null;
    const conflicts = last.conflicts + (isConflictingVersion(last, bar) ? 1 : 0);
    this.count(last, -1);
    if (this.carry.pushedReturn) this.returns.undo();
    if (this.carry.pushedRange) this.ranges.undo();
    this.carry = { ...this.before };
    const from = last.brk ? { raw: bar.open, adj: null } : last.from;
    const { mask, reachedStale } = this.check(bar, from, last.onCal, last.missingBefore, conflicts);
    Object.assign(last, barContent(bar), { mask, conflicts, from, reachedStale });
    this.count(last, 1);
    return this.qualityOf(last);
  }

  /** The quality of the last bar as it stands. */
  lastQuality(): BarQuality | null {
    return this.last ? this.qualityOf(this.last) : null;
  }

  /** Days that ended (a bar of a later date arrived) since the last call; the caller writes them. */
  drainClosedDays(): QualityDay[] {
    const out = this.closed;
    this.closed = [];
    return out;
  }

  /** The day of the last bar, counts so far (a copy). */
  openDay(): QualityDay | null {
    return this.day ? cloneDay(this.day) : null;
  }

  toJSON(): QualityCheckerState {
    return {
      kind: "qualityChecker",
      v: 1,
      last: this.last ? { ...this.last, from: { ...this.last.from } } : null,
      carry: cloneCarry(this.carry),
      before: cloneCarry(this.before),
      returns: this.returns.toJSON(),
      ranges: this.ranges.toJSON(),
      day: this.day ? cloneDay(this.day) : null,
      closed: this.closed.map(cloneDay),
    };
  }

  static fromJSON(
    series: QualitySeries,
    s: QualityCheckerState,
    params: Readonly<QualityParams> = QUALITY_DEFAULTS,
  ): QualityChecker {
    if (s?.kind !== "qualityChecker" || s.v !== 1) throw new Error("not a QualityChecker state (v1)");
    const c = new QualityChecker(series, params);
    c.last = s.last ? { ...s.last, from: { ...s.last.from } } : null;
    c.carry = cloneCarry(s.carry);
    c.before = cloneCarry(s.before);
    c.returns = RobustWindow.fromJSON(s.returns);
    c.ranges = RobustWindow.fromJSON(s.ranges);
    c.day = s.day ? cloneDay(s.day) : null;
    c.closed = s.closed.map(cloneDay);
    return c;
  }

  /** The content checks of one bar; advances the carry and the windows. */
  private check(
    bar: QualityInput,
    from: Level,
    onCal: boolean,
    missingBefore: number,
    conflicts: number,
  ): { mask: number; reachedStale: boolean } {
    const p = this.params;
    const carry = this.carry;
    let mask = 0;
    if (missingBefore > 0) mask |= BIT.gap;
    if (conflicts > 0) mask |= BIT.conflict;
    if (!onCal) mask |= BIT.off_calendar;

    // Return: the close against the level before it, in adjusted terms when both sides have an adjusted close (a
    // split is not a move), as a robust z-score against the previous returns.
    const adjClose = bar.adjClose ?? null;
    const x = this.level(from.adj !== null && adjClose !== null ? adjClose : bar.close);
    let r = x - this.level(from.adj !== null && adjClose !== null ? from.adj : from.raw);
    let outlier = false;
    if (Number.isFinite(r) && this.returns.size >= p.minWindow) {
      const median = this.returns.median();
      const dev = Math.abs(r - median);
      // The scale is at least the floor: a smaller deviation is never an outlier, and needs no MAD.
      if (dev > p.returnZ * this.returnFloor) {
        const limit = p.returnZ * Math.max(MAD_TO_SD * this.returns.mad(median), this.returnFloor);
        if (dev > limit) {
          outlier = true;
          const ref = carry.ref;
          if (ref) {
            // The bar after an outlier: back at the level before it, it is the recovery, not another outlier.
            const useAdj = ref.adj !== null && adjClose !== null;
            const back =
              this.level(useAdj ? (adjClose as number) : bar.close) -
              this.level(useAdj ? (ref.adj as number) : ref.raw);
            if (Math.abs(back - median) <= limit) {
              outlier = false;
              r = back;
            }
          }
        }
      }
    }
    carry.ref = outlier ? (carry.ref ?? from) : null;
    carry.pushedReturn = !outlier && Number.isFinite(r);
    if (outlier) mask |= BIT.return_outlier;
    else if (carry.pushedReturn) this.returns.push(r);

    // Range: the bar's high-low range against the median of the previous ranges.
    const range = this.level(bar.high) - this.level(bar.low);
    let wide = false;
    if (Number.isFinite(range) && this.ranges.size >= p.minWindow)
      wide = range > p.rangeRatio * Math.max(this.ranges.median(), this.rangeFloor);
    carry.pushedRange = !wide && Number.isFinite(range);
    if (wide) mask |= BIT.range_outlier;
    else if (carry.pushedRange) this.ranges.push(range);

    // Stale closes and zero volume count in session only.
    let reachedStale = false;
    if (onCal) {
      if (carry.staleClose === bar.close) carry.staleRun++;
      else {
        carry.staleClose = bar.close;
        carry.staleRun = 1;
      }
      if (carry.staleRun >= p.staleBars) {
        mask |= BIT.stale;
        reachedStale = carry.staleRun === p.staleBars;
      }
      if (this.tradesVolume && !bar.partial && bar.volume === 0) mask |= BIT.zero_volume;
    }
    return { mask, reachedStale };
  }

  private level(price: number): number {
    return this.yields ? price : Math.log(price);
  }

  /** The last bar was partial and a later bar came first: it will never complete. */
  private amendIncomplete(last: LastBar): void {
    if (last.mask & BIT.incomplete) return;
    this.count(last, -1);
    last.mask |= BIT.incomplete;
    this.count(last, 1);
    this.amended = this.qualityOf(last);
  }

  /** The open day, rolled forward to `date` when it is later (the days it leaves are closed). */
  private dayFor(date: string): QualityDay {
    if (this.day && date <= this.day.tradingDate) return this.day;
    if (this.day) this.closed.push(this.day);
    this.day = { tradingDate: date, counts: emptyDayCounts(), lastTs: null };
    return this.day;
  }

  /** Adds (sign 1) or removes (-1) a bar's contribution to the open day. */
  private count(bar: LastBar, sign: 1 | -1): void {
    const day = this.day;
    if (!day) return;
    const c = day.counts;
    c.bars += sign;
    if (bar.onCal) c.expected += sign;
    if (bar.mask & ANY_BUT_GAP) c.flagged += sign;
    if (bar.reachedStale) c.staleRuns += sign;
    for (const f of QUALITY_FLAGS) if (bar.mask & BIT[f]) c.flags[f] += sign;
    if (sign === 1) day.lastTs = bar.ts;
  }

  private qualityOf(bar: LastBar): BarQuality {
    if (bar.mask === 0 && bar.missingBefore === 0 && bar.conflicts === 0) return CLEAN_QUALITY;
    return {
      flags: QUALITY_FLAGS.filter((f) => bar.mask & BIT[f]),
      missingBefore: bar.missingBefore,
      conflicts: bar.conflicts,
    };
  }
}

function cloneDay(d: QualityDay): QualityDay {
  return { tradingDate: d.tradingDate, counts: { ...d.counts, flags: { ...d.counts.flags } }, lastTs: d.lastTs };
}

function cloneCarry(c: Carry): Carry {
  return { ...c, ref: c.ref ? { ...c.ref } : null };
}
