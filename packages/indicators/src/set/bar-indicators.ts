import {
  checkHighLow,
  checkPrice,
  checkValue,
  checkVolume,
  InvalidInputError,
  isFiniteNumber,
  isHlc,
  isPrice,
  isVolume,
  priceFloor,
} from "../errors.ts";
import { Hv, type ReturnsWindowState, Sharpe } from "../quant/returns-window.ts";
import { CumReturn, Drawdown, type SimpleState } from "../quant/simple.ts";
import type { Series } from "../state.ts";
import { Ema, type EmaState } from "../trend/ema.ts";
import type { LagState } from "../trend/lag.ts";
import { Macd, type MacdState } from "../trend/macd.ts";
import { Mom } from "../trend/mom.ts";
import { Roc } from "../trend/roc.ts";
import { Rsi, type RsiState } from "../trend/rsi.ts";
import { Sma, type SmaState } from "../trend/sma.ts";
import { Atr, type AtrState } from "../volatility/atr.ts";
import { Bbands } from "../volatility/bbands.ts";
import type { StdDevState } from "../volatility/stddev.ts";
import { Ad } from "../volume/ad.ts";
import { Obv, type ObvState } from "../volume/obv.ts";
import { type SessionFn, utcDaySession, Vwap, type VwapState } from "../volume/vwap.ts";

/** The per-bar metrics a bar document carries, in document order. This list is the single source of field names. */
export const BAR_METRIC_FIELDS = [
  "sma20",
  "sma50",
  "sma200",
  "ema20",
  "macd",
  "macdSignal",
  "macdHist",
  "rsi14",
  "roc10",
  "mom10",
  "bbUpper",
  "bbMiddle",
  "bbLower",
  "atr14",
  "stddev20",
  "hv20",
  "obv",
  "vwap",
  "ad",
  "logReturn",
  "cumReturn",
  "sharpe",
  "sortino",
  "drawdown",
  "maxDrawdown",
] as const;

export type BarMetricField = (typeof BAR_METRIC_FIELDS)[number];
/** Flat record of metric values; a field is undefined until that metric is warm. */
export type BarMetrics = { [K in BarMetricField]: number | undefined };
export type BarWarm = { [K in BarMetricField]: boolean };

export interface Bar {
  /** Bar open time, epoch ms. */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface BarIndicatorsOptions {
  /** Accept zero/negative prices (bond yields). Log return, HV, Sharpe, Sortino, cumulative return and drawdown are then absent where a ratio of non-positive prices would be needed. */
  allowNonPositive?: boolean;
  /** Annualisation for hv20, sharpe, sortino (default 252). See periodsPerYear(). */
  periodsPerYear?: number;
  /** VWAP session rule (default utcDaySession; exchangeDaySession("America/New_York") for US intraday equities). */
  session?: SessionFn;
  /** Rolling window of sharpe and sortino (default 20 returns). */
  ratioPeriod?: number;
}

export interface BarIndicatorsState {
  kind: "barIndicators";
  v: 1;
  options: { allowNonPositive: boolean; periodsPerYear: number; ratioPeriod: number };
  lastTs: number | null;
  s: {
    sma20: SmaState;
    sma50: SmaState;
    sma200: SmaState;
    ema20: EmaState;
    macd: MacdState;
    rsi14: RsiState;
    roc10: LagState;
    mom10: LagState;
    bb: StdDevState;
    atr14: AtrState;
    stddev20: StdDevState;
    hv20: ReturnsWindowState;
    obv: ObvState;
    vwap: VwapState;
    ad: ObvState;
    logReturn: SimpleState;
    cumReturn: SimpleState;
    sharpe: ReturnsWindowState;
    sortino: ReturnsWindowState;
    drawdown: SimpleState;
  };
}

/**
 * All per-bar metrics of one symbol. update(bar) validates the whole bar first (InvalidInputError naming the field;
 * nothing changes on error), then advances every metric and returns `values` (a reused object: copy it if you keep
 * it); `warm` holds per-metric warm flags. replace(bar) replaces the still-forming last bar. State: toJSON()/fromJSON().
 */
export class BarIndicators {
  readonly allowNonPositive: boolean;
  readonly periodsPerYear: number;
  readonly ratioPeriod: number;
  readonly session: SessionFn;
  /** Record filled while some field is absent (fields hold `undefined`, so V8 keeps them as tagged values). */
  private readonly cold: BarMetrics;
  /**
   * Record filled while every field has a value (the steady state): a class instance whose fields only ever hold
   * numbers, so V8 stores them unboxed in place — no HeapNumber per field per bar, no old-to-new write barriers.
   */
  private readonly hot: BarMetrics = new HotMetrics();
  private cur: BarMetrics;
  readonly warm: BarWarm;
  private readonly floor: number;
  private lastTs = Number.NaN;
  // sma20 and stddev20 are read from the BBANDS(20) window `bb` (the same running sums, the same operations in the
  // same order: bit-identical to standalone Sma(20) / StdDev(20, 1)), logReturn from the shared return window
  private sma50: Sma;
  private sma200: Sma;
  private ema20: Ema;
  private macd: Macd;
  private rsi14: Rsi;
  private roc10: Roc;
  private mom10: Mom;
  private bb: Bbands;
  private atr14: Atr;
  /** Own HV window only when ratioPeriod !== 20; otherwise hv20 is read from the shared return window `ratio`. */
  private hv20: Hv | null;
  private obv: Obv;
  private vwap: Vwap;
  private ad: Ad;
  private cumReturn: CumReturn;
  /** One window of log returns shared by logReturn, sharpe, sortino (and hv20 when ratioPeriod is 20): one log per bar. */
  private ratio: Sharpe;
  private drawdown: Drawdown;

  /** Lookback (index of the first bar with a value) of every field. */
  static readonly lookbacks: Readonly<Record<BarMetricField, number>> = {
    sma20: 19,
    sma50: 49,
    sma200: 199,
    ema20: 19,
    macd: 33,
    macdSignal: 33,
    macdHist: 33,
    rsi14: 14,
    roc10: 10,
    mom10: 10,
    bbUpper: 19,
    bbMiddle: 19,
    bbLower: 19,
    atr14: 14,
    stddev20: 19,
    hv20: 20,
    obv: 0,
    vwap: 0,
    ad: 0,
    logReturn: 1,
    cumReturn: 0,
    sharpe: 20,
    sortino: 20,
    drawdown: 0,
    maxDrawdown: 0,
  };

  constructor(opts: BarIndicatorsOptions = {}) {
    const p = { allowNonPositive: opts.allowNonPositive === true };
    const r = { ...p, periodsPerYear: opts.periodsPerYear ?? 252 };
    this.allowNonPositive = p.allowNonPositive;
    this.periodsPerYear = r.periodsPerYear;
    this.ratioPeriod = opts.ratioPeriod ?? 20;
    this.session = opts.session ?? utcDaySession;
    this.floor = priceFloor(p);
    this.sma50 = new Sma(50, p);
    this.sma200 = new Sma(200, p);
    this.ema20 = new Ema(20, p);
    this.macd = new Macd(12, 26, 9, p);
    this.rsi14 = new Rsi(14, p);
    this.roc10 = new Roc(10, p);
    this.mom10 = new Mom(10, p);
    this.bb = new Bbands(20, 2, 2, p);
    this.atr14 = new Atr(14, p);
    this.hv20 = this.ratioPeriod === 20 ? null : new Hv(20, r);
    this.obv = new Obv(p);
    this.vwap = new Vwap(this.session, p);
    this.ad = new Ad(p);
    this.cumReturn = new CumReturn(p);
    this.ratio = new Sharpe(this.ratioPeriod, r);
    this.drawdown = new Drawdown(p);
    // literal objects with a fixed shape (fast properties), no keyed access on the hot path
    this.cold = {
      sma20: undefined,
      sma50: undefined,
      sma200: undefined,
      ema20: undefined,
      macd: undefined,
      macdSignal: undefined,
      macdHist: undefined,
      rsi14: undefined,
      roc10: undefined,
      mom10: undefined,
      bbUpper: undefined,
      bbMiddle: undefined,
      bbLower: undefined,
      atr14: undefined,
      stddev20: undefined,
      hv20: undefined,
      obv: undefined,
      vwap: undefined,
      ad: undefined,
      logReturn: undefined,
      cumReturn: undefined,
      sharpe: undefined,
      sortino: undefined,
      drawdown: undefined,
      maxDrawdown: undefined,
    };
    this.cur = this.cold;
    this.warm = {
      sma20: false,
      sma50: false,
      sma200: false,
      ema20: false,
      macd: false,
      macdSignal: false,
      macdHist: false,
      rsi14: false,
      roc10: false,
      mom10: false,
      bbUpper: false,
      bbMiddle: false,
      bbLower: false,
      atr14: false,
      stddev20: false,
      hv20: false,
      obv: false,
      vwap: false,
      ad: false,
      logReturn: false,
      cumReturn: false,
      sharpe: false,
      sortino: false,
      drawdown: false,
      maxDrawdown: false,
    };
  }

  /**
   * The values of the last update/replace (a reused object: copy it to keep it). One of two internal records
   * (all fields present / some absent), so keep the object returned by update() or read `values` again.
   */
  get values(): BarMetrics {
    return this.cur;
  }

  private check(b: Bar): void {
    if (typeof b !== "object" || b === null) throw new InvalidInputError("bar", b, "must be an object");
    const f = this.floor;
    // one compare chain for a valid bar; the named checks below only find what is wrong
    if (isFiniteNumber(b.ts) && isPrice(b.open, f) && isHlc(b.high, b.low, b.close, f) && isVolume(b.volume)) return;
    checkValue("ts", b.ts);
    checkPrice("open", b.open, f);
    checkPrice("high", b.high, f);
    checkPrice("low", b.low, f);
    checkPrice("close", b.close, f);
    checkVolume(b.volume);
    checkHighLow(b.high, b.low);
  }

  /** Advances all metrics by one bar. Timestamps must increase (use replace() for the same bar again). */
  update(b: Bar): BarMetrics {
    this.check(b);
    if (b.ts <= this.lastTs) throw new InvalidInputError("ts", b.ts, `must be after the last bar ${this.lastTs}`);
    this.lastTs = b.ts;
    const { ts, high, low, close, volume } = b;
    // the bar is validated as a whole above: advance every metric without re-validating
    this.sma50.step(close);
    this.sma200.step(close);
    this.ema20.step(close);
    this.macd.step(close);
    this.rsi14.step(close);
    this.roc10.step(close);
    this.mom10.step(close);
    this.bb.step(close);
    this.atr14.step(high, low, close);
    if (this.hv20 !== null) this.hv20.step(close);
    this.obv.step(close, volume);
    this.vwap.step(ts, high, low, close, volume);
    this.ad.step(high, low, close, volume);
    this.cumReturn.step(close);
    this.ratio.step(close);
    this.drawdown.step(close);
    return this.collect();
  }

  /** Replaces the last bar (same ts, still forming). Equivalent to rebuilding with the new last bar. */
  replace(b: Bar): BarMetrics {
    this.check(b);
    if (!Number.isNaN(this.lastTs) && b.ts !== this.lastTs) {
      throw new InvalidInputError("ts", b.ts, `replace() needs the last bar's ts ${this.lastTs}`);
    }
    this.lastTs = b.ts;
    const { ts, high, low, close, volume } = b;
    this.sma50.replace(close);
    this.sma200.replace(close);
    this.ema20.replace(close);
    this.macd.replace(close);
    this.rsi14.replace(close);
    this.roc10.replace(close);
    this.mom10.replace(close);
    this.bb.replace(close);
    this.atr14.replace(high, low, close);
    if (this.hv20 !== null) this.hv20.replace(close);
    this.obv.replace(close, volume);
    this.vwap.replace(ts, high, low, close, volume);
    this.ad.replace(high, low, close, volume);
    this.cumReturn.replace(close);
    this.ratio.replace(close);
    this.drawdown.replace(close);
    return this.collect();
  }

  private collect(): BarMetrics {
    // every value as a double, NaN while absent; converted to `undefined` only in the record handed out
    const m = this.macd;
    const mw = m.isWarm;
    const bb = this.bb;
    const bw = bb.isWarm;
    const rw = this.ratio;
    rw.calcAll();
    const sma20 = bw ? bb.mean : Number.NaN;
    const sma50 = this.sma50.raw;
    const sma200 = this.sma200.raw;
    const ema20 = this.ema20.raw;
    const macd = mw ? m.macd : Number.NaN;
    const macdSignal = mw ? m.signalValue : Number.NaN;
    const macdHist = mw ? m.hist : Number.NaN;
    const rsi14 = this.rsi14.raw;
    const roc10 = this.roc10.raw;
    const mom10 = this.mom10.raw;
    const bbUpper = bw ? bb.upper : Number.NaN;
    const bbMiddle = bw ? bb.mean : Number.NaN;
    const bbLower = bw ? bb.lower : Number.NaN;
    const atr14 = this.atr14.raw;
    const stddev20 = bw ? bb.sd : Number.NaN;
    const hv20 = this.hv20 !== null ? this.hv20.raw : rw.hvRaw;
    const obv = this.obv.raw;
    const vwap = this.vwap.raw;
    const ad = this.ad.raw;
    const logReturn = rw.lr;
    const cumReturn = this.cumReturn.raw;
    const sharpe = rw.sharpeRaw;
    const sortino = rw.sortinoRaw;
    const drawdown = this.drawdown.raw;
    const maxDrawdown = this.drawdown.maxRaw;
    const w = this.warm;
    // every field present → the all-present record; its warm flags are all true already when the previous bar used
    // it too, so the steady state writes no flags
    if (
      !Number.isNaN(sma20) &&
      !Number.isNaN(sma50) &&
      !Number.isNaN(sma200) &&
      !Number.isNaN(ema20) &&
      !Number.isNaN(macd) &&
      !Number.isNaN(macdSignal) &&
      !Number.isNaN(macdHist) &&
      !Number.isNaN(rsi14) &&
      !Number.isNaN(roc10) &&
      !Number.isNaN(mom10) &&
      !Number.isNaN(bbUpper) &&
      !Number.isNaN(bbMiddle) &&
      !Number.isNaN(bbLower) &&
      !Number.isNaN(atr14) &&
      !Number.isNaN(stddev20) &&
      !Number.isNaN(hv20) &&
      !Number.isNaN(obv) &&
      !Number.isNaN(vwap) &&
      !Number.isNaN(ad) &&
      !Number.isNaN(logReturn) &&
      !Number.isNaN(cumReturn) &&
      !Number.isNaN(sharpe) &&
      !Number.isNaN(sortino) &&
      !Number.isNaN(drawdown) &&
      !Number.isNaN(maxDrawdown)
    ) {
      if (this.cur !== this.hot) {
        w.sma20 = true;
        w.sma50 = true;
        w.sma200 = true;
        w.ema20 = true;
        w.macd = true;
        w.macdSignal = true;
        w.macdHist = true;
        w.rsi14 = true;
        w.roc10 = true;
        w.mom10 = true;
        w.bbUpper = true;
        w.bbMiddle = true;
        w.bbLower = true;
        w.atr14 = true;
        w.stddev20 = true;
        w.hv20 = true;
        w.obv = true;
        w.vwap = true;
        w.ad = true;
        w.logReturn = true;
        w.cumReturn = true;
        w.sharpe = true;
        w.sortino = true;
        w.drawdown = true;
        w.maxDrawdown = true;
      }
      const v = this.hot;
      v.sma20 = sma20;
      v.sma50 = sma50;
      v.sma200 = sma200;
      v.ema20 = ema20;
      v.macd = macd;
      v.macdSignal = macdSignal;
      v.macdHist = macdHist;
      v.rsi14 = rsi14;
      v.roc10 = roc10;
      v.mom10 = mom10;
      v.bbUpper = bbUpper;
      v.bbMiddle = bbMiddle;
      v.bbLower = bbLower;
      v.atr14 = atr14;
      v.stddev20 = stddev20;
      v.hv20 = hv20;
      v.obv = obv;
      v.vwap = vwap;
      v.ad = ad;
      v.logReturn = logReturn;
      v.cumReturn = cumReturn;
      v.sharpe = sharpe;
      v.sortino = sortino;
      v.drawdown = drawdown;
      v.maxDrawdown = maxDrawdown;
      this.cur = v;
      return v;
    }
    w.sma20 = !Number.isNaN(sma20);
    w.sma50 = !Number.isNaN(sma50);
    w.sma200 = !Number.isNaN(sma200);
    w.ema20 = !Number.isNaN(ema20);
    w.macd = !Number.isNaN(macd);
    w.macdSignal = !Number.isNaN(macdSignal);
    w.macdHist = !Number.isNaN(macdHist);
    w.rsi14 = !Number.isNaN(rsi14);
    w.roc10 = !Number.isNaN(roc10);
    w.mom10 = !Number.isNaN(mom10);
    w.bbUpper = !Number.isNaN(bbUpper);
    w.bbMiddle = !Number.isNaN(bbMiddle);
    w.bbLower = !Number.isNaN(bbLower);
    w.atr14 = !Number.isNaN(atr14);
    w.stddev20 = !Number.isNaN(stddev20);
    w.hv20 = !Number.isNaN(hv20);
    w.obv = !Number.isNaN(obv);
    w.vwap = !Number.isNaN(vwap);
    w.ad = !Number.isNaN(ad);
    w.logReturn = !Number.isNaN(logReturn);
    w.cumReturn = !Number.isNaN(cumReturn);
    w.sharpe = !Number.isNaN(sharpe);
    w.sortino = !Number.isNaN(sortino);
    w.drawdown = !Number.isNaN(drawdown);
    w.maxDrawdown = !Number.isNaN(maxDrawdown);
    const v = this.cold;
    v.sma20 = w.sma20 ? sma20 : undefined;
    v.sma50 = w.sma50 ? sma50 : undefined;
    v.sma200 = w.sma200 ? sma200 : undefined;
    v.ema20 = w.ema20 ? ema20 : undefined;
    v.macd = w.macd ? macd : undefined;
    v.macdSignal = w.macdSignal ? macdSignal : undefined;
    v.macdHist = w.macdHist ? macdHist : undefined;
    v.rsi14 = w.rsi14 ? rsi14 : undefined;
    v.roc10 = w.roc10 ? roc10 : undefined;
    v.mom10 = w.mom10 ? mom10 : undefined;
    v.bbUpper = w.bbUpper ? bbUpper : undefined;
    v.bbMiddle = w.bbMiddle ? bbMiddle : undefined;
    v.bbLower = w.bbLower ? bbLower : undefined;
    v.atr14 = w.atr14 ? atr14 : undefined;
    v.stddev20 = w.stddev20 ? stddev20 : undefined;
    v.hv20 = w.hv20 ? hv20 : undefined;
    v.obv = w.obv ? obv : undefined;
    v.vwap = w.vwap ? vwap : undefined;
    v.ad = w.ad ? ad : undefined;
    v.logReturn = w.logReturn ? logReturn : undefined;
    v.cumReturn = w.cumReturn ? cumReturn : undefined;
    v.sharpe = w.sharpe ? sharpe : undefined;
    v.sortino = w.sortino ? sortino : undefined;
    v.drawdown = w.drawdown ? drawdown : undefined;
    v.maxDrawdown = w.maxDrawdown ? maxDrawdown : undefined;
    this.cur = v;
    return v;
  }

  toJSON(): BarIndicatorsState {
    return {
      kind: "barIndicators",
      v: 1,
      options: {
        allowNonPositive: this.allowNonPositive,
        periodsPerYear: this.periodsPerYear,
        ratioPeriod: this.ratioPeriod,
      },
      lastTs: Number.isNaN(this.lastTs) ? null : this.lastTs,
      s: {
        sma20: this.bb.toJSONAsSma(),
        sma50: this.sma50.toJSON(),
        sma200: this.sma200.toJSON(),
        ema20: this.ema20.toJSON(),
        macd: this.macd.toJSON(),
        rsi14: this.rsi14.toJSON(),
        roc10: this.roc10.toJSON(),
        mom10: this.mom10.toJSON(),
        bb: this.bb.toJSON(),
        atr14: this.atr14.toJSON(),
        stddev20: this.bb.toJSONAsStdDev(),
        hv20: this.hv20 !== null ? this.hv20.toJSON() : this.ratio.toJSONAs("hv"),
        obv: this.obv.toJSON(),
        vwap: this.vwap.toJSON(),
        ad: this.ad.toJSON(),
        logReturn: this.ratio.toJSONAsLogReturn(),
        cumReturn: this.cumReturn.toJSON(),
        sharpe: this.ratio.toJSONAs("sharpe"),
        sortino: this.ratio.toJSONAs("sortino"),
        drawdown: this.drawdown.toJSON(),
      },
    };
  }

  /** Restores a checkpoint; pass the same session function as the original (functions are not state). */
  static fromJSON(st: BarIndicatorsState, session?: SessionFn): BarIndicators {
    if (st?.kind !== "barIndicators" || st.v !== 1)
      throw new InvalidInputError("state", st?.kind, "not a BarIndicators state");
    const r = new BarIndicators({ ...st.options, session: session ?? utcDaySession });
    const s = st.s;
    r.lastTs = st.lastTs === null ? Number.NaN : st.lastTs;
    r.sma50 = Sma.fromJSON(s.sma50);
    r.sma200 = Sma.fromJSON(s.sma200);
    r.ema20 = Ema.fromJSON(s.ema20);
    r.macd = Macd.fromJSON(s.macd);
    r.rsi14 = Rsi.fromJSON(s.rsi14);
    r.roc10 = Roc.fromJSON(s.roc10);
    r.mom10 = Mom.fromJSON(s.mom10);
    r.bb = Bbands.fromJSON(s.bb);
    r.atr14 = Atr.fromJSON(s.atr14);
    if (r.hv20 !== null) r.hv20 = Hv.fromJSON(s.hv20);
    r.obv = Obv.fromJSON(s.obv);
    r.vwap = Vwap.fromJSON(s.vwap, r.session);
    r.ad = Ad.fromJSON(s.ad);
    r.cumReturn = CumReturn.fromJSON(s.cumReturn);
    // sharpe, sortino (and hv20 when sharing) hold the same window of returns: restore it from the sharpe state;
    // logReturn's output and undo record live in that window too. sma20 and stddev20 are the BBANDS window's.
    r.ratio = Sharpe.fromJSON(s.sharpe);
    r.ratio.loadLogReturn(s.logReturn);
    r.drawdown = Drawdown.fromJSON(s.drawdown);
    if (!Number.isNaN(r.lastTs)) r.collect();
    return r;
  }
}

/** The all-present record: fields initialised with numbers and only ever assigned numbers (unboxed in V8). */
class HotMetrics implements BarMetrics {
  sma20 = Number.NaN;
  sma50 = Number.NaN;
  sma200 = Number.NaN;
  ema20 = Number.NaN;
  macd = Number.NaN;
  macdSignal = Number.NaN;
  macdHist = Number.NaN;
  rsi14 = Number.NaN;
  roc10 = Number.NaN;
  mom10 = Number.NaN;
  bbUpper = Number.NaN;
  bbMiddle = Number.NaN;
  bbLower = Number.NaN;
  atr14 = Number.NaN;
  stddev20 = Number.NaN;
  hv20 = Number.NaN;
  obv = Number.NaN;
  vwap = Number.NaN;
  ad = Number.NaN;
  logReturn = Number.NaN;
  cumReturn = Number.NaN;
  sharpe = Number.NaN;
  sortino = Number.NaN;
  drawdown = Number.NaN;
  maxDrawdown = Number.NaN;
}

export interface BarSeries {
  ts: Series;
  open: Series;
  high: Series;
  low: Series;
  close: Series;
  volume: Series;
}

/** Batch form of the metric set: one Float64Array per field (NaN while absent), built by running BarIndicators. */
export function barIndicatorsBatch(bars: BarSeries, opts?: BarIndicatorsOptions): Record<BarMetricField, Float64Array> {
  const set = new BarIndicators(opts);
  const n = bars.close.length;
  const out = {} as Record<BarMetricField, Float64Array>;
  for (const f of BAR_METRIC_FIELDS) out[f] = new Float64Array(n);
  const cols = BAR_METRIC_FIELDS.map((f) => out[f]);
  const bar: Bar = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.ts = bars.ts[i]!;
    bar.open = bars.open[i]!;
    bar.high = bars.high[i]!;
    bar.low = bars.low[i]!;
    bar.close = bars.close[i]!;
    bar.volume = bars.volume[i]!;
    const v = set.update(bar);
    for (let k = 0; k < cols.length; k++) {
      const x = v[BAR_METRIC_FIELDS[k]!];
      cols[k]![i] = x === undefined ? Number.NaN : x;
    }
  }
  return out;
}
