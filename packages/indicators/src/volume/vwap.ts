import {
  checkHighLow,
  checkPrice,
  checkState,
  checkValue,
  checkVolume,
  InvalidInputError,
  isFiniteNumber,
  isHlc,
  isVolume,
  type PriceOptions,
  priceFloor,
} from "../errors.ts";
import type { Series } from "../state.ts";

/** Maps a bar timestamp (epoch ms) to a session key; VWAP resets when the key changes. */
export type SessionFn = (ts: number) => number;

const DAY = 86_400_000;

/** Crypto: one session per UTC calendar day. */
export const utcDaySession: SessionFn = (ts) => Math.floor(ts / DAY);

/**
 * Intraday equities: one session per exchange-local calendar day (e.g. "America/New_York" for NYSE/Nasdaq), so a
 * session never spans midnight local time. The UTC offset is looked up once per UTC hour and cached (DST-safe).
 * Returns the local date as days since epoch.
 */
export function exchangeDaySession(timeZone: string): SessionFn {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  });
  let cachedHour = Number.NaN;
  let cachedOffset = 0;
  return (ts) => {
    const hour = Math.floor(ts / 3_600_000);
    if (hour !== cachedHour) {
      const parts: Record<string, number> = {};
      for (const p of fmt.formatToParts(hour * 3_600_000)) parts[p.type] = Number(p.value);
      const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
      cachedOffset = local - hour * 3_600_000;
      cachedHour = hour;
    }
    return Math.floor((ts + cachedOffset) / DAY);
  };
}

export interface VwapState {
  kind: "vwap";
  allowNonPositive: boolean;
  n: number;
  /** ts of the last bar (epoch ms), null before the first; absent in states written before it was kept. */
  ts?: number | null;
  s: number[];
  undo: number[];
}

/**
 * Session VWAP: Σ(typical·volume) / Σvolume since the session start, typical = (high+low+close)/3. The session key
 * comes from `session(ts)` (default utcDaySession; use exchangeDaySession("America/New_York") for US equities).
 * Lookback 0. While the session's cumulative volume is 0 the VWAP is the current bar's typical price. Timestamps must
 * increase: update() refuses a ts at or before the last bar's (InvalidInputError "ts"; an older bar would otherwise
 * reset the session), replace() takes the last bar's ts.
 */
export class Vwap {
  readonly lookback = 0;
  readonly allowNonPositive: boolean;
  readonly session: SessionFn;
  private readonly floor: number;
  private n = 0;
  private lastTs = Number.NaN;
  private key = Number.NaN;
  private pv = 0;
  private vol = 0;
  private out = Number.NaN;
  private readonly u = new Float64Array(4);

  constructor(session: SessionFn = utcDaySession, opts?: PriceOptions) {
    this.session = session;
    this.allowNonPositive = opts?.allowNonPositive === true;
    this.floor = priceFloor(opts);
  }
  get isWarm(): boolean {
    return this.n > 0;
  }
  /** @internal The value, NaN while absent (no boxing of `number | undefined` on hot paths). */
  get raw(): number {
    return this.n > 0 ? this.out : Number.NaN;
  }
  get value(): number | undefined {
    return this.n > 0 ? this.out : undefined;
  }
  private check(ts: number, high: number, low: number, close: number, volume: number): void {
    // one compare chain for a valid bar; the named checks only find what is wrong
    if (isFiniteNumber(ts) && isHlc(high, low, close, this.floor) && isVolume(volume)) return;
    checkValue("ts", ts);
    checkPrice("high", high, this.floor);
    checkPrice("low", low, this.floor);
    checkPrice("close", close, this.floor);
    checkVolume(volume);
    checkHighLow(high, low);
  }
  update(ts: number, high: number, low: number, close: number, volume: number): number {
    this.check(ts, high, low, close, volume);
    if (ts <= this.lastTs) throw new InvalidInputError("ts", ts, `must be after the last bar ${this.lastTs}`);
    this.step(ts, high, low, close, volume);
    return this.out;
  }
  /** Replaces the last bar (same ts, still forming); same as update() when nothing was fed yet. */
  replace(ts: number, high: number, low: number, close: number, volume: number): number {
    this.check(ts, high, low, close, volume);
    // NaN: nothing fed yet, or a state written before the ts was kept
    if (!Number.isNaN(this.lastTs) && ts !== this.lastTs)
      throw new InvalidInputError("ts", ts, `replace() needs the last bar's ts ${this.lastTs}`);
    if (this.n > 0) {
      const u = this.u;
      this.n--;
      this.key = u[0]!;
      this.pv = u[1]!;
      this.vol = u[2]!;
      this.out = u[3]!;
    }
    this.step(ts, high, low, close, volume);
    return this.out;
  }
  /**
   * @internal Advances by one input without validating it (the caller already did). Returns nothing: a double
   * returned from a call that is not inlined is boxed (one HeapNumber per call), and BarIndicators calls many.
   */
  step(ts: number, high: number, low: number, close: number, volume: number): void {
    const key = this.session(ts);
    this.lastTs = ts;
    const u = this.u;
    u[0] = this.key;
    u[1] = this.pv;
    u[2] = this.vol;
    u[3] = this.out;
    this.n++;
    if (key !== this.key) {
      this.key = key;
      this.pv = 0;
      this.vol = 0;
    }
    const tp = (high + low + close) / 3;
    this.pv += tp * volume;
    this.vol += volume;
    this.out = this.vol > 0 ? this.pv / this.vol : tp;
  }
  toJSON(): VwapState {
    return {
      kind: "vwap",
      allowNonPositive: this.allowNonPositive,
      n: this.n,
      ts: Number.isNaN(this.lastTs) ? null : this.lastTs,
      s: [this.key, this.pv, this.vol, this.out],
      undo: Array.from(this.u),
    };
  }
  /** The session function is code, not state: pass the same one again. */
  static fromJSON(st: VwapState, session: SessionFn = utcDaySession): Vwap {
    checkState(st?.kind === "vwap", "vwap");
    const r = new Vwap(session, { allowNonPositive: st.allowNonPositive });
    r.n = st.n;
    r.lastTs = st.ts ?? Number.NaN;
    [r.key, r.pv, r.vol, r.out] = st.s.map((x) => (x === null ? Number.NaN : x)) as [number, number, number, number];
    r.u.set(st.undo.map((x) => (x === null ? Number.NaN : x)));
    return r;
  }
}

export function vwap(
  ts: Series,
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  session: SessionFn = utcDaySession,
  opts?: PriceOptions,
): Float64Array {
  const ind = new Vwap(session, opts);
  const out = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) out[i] = ind.update(ts[i]!, high[i]!, low[i]!, close[i]!, volume[i]!);
  return out;
}
