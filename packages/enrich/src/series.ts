// How a (symbol, interval) series is enriched: the BarIndicators options of its asset class and interval, and the
// batch form over a whole series. Shared by the stream processor, its rebuild path and the batch processor, so the
// three compute the same numbers.
import {
  type AssetClass,
  type Bar,
  type BarDocument,
  INTERVAL_MS,
  type Interval,
  indicatorBar,
  NEW_YORK,
  toBarDocument,
} from "@quant/core";
import {
  BarIndicators,
  type BarIndicatorsOptions,
  exchangeDaySession,
  InvalidInputError,
  periodsPerYear,
  type SessionFn,
  utcDaySession,
} from "@quant/indicators";
import { type CheckedSeries, checkSeries, qualityInput } from "@quant/quality";

const DAY_MS = 86_400_000;
/** Regular NYSE session, 09:30–16:00: 6.5 h. */
const EQUITY_SESSION_MS = 6.5 * 3_600_000;

let newYorkSession: SessionFn | undefined;

/**
 * Options of a series: bonds (yields) may be zero or negative; annualisation by trading days (crypto: calendar
 * days) times bars per day; VWAP resets on the New York day for intraday equities, on the UTC day otherwise.
 */
export function indicatorOptionsFor(assetClass: AssetClass, interval: Interval): BarIndicatorsOptions {
  const ms = INTERVAL_MS[interval];
  const barsPerDay = interval === "1d" ? 1 : (assetClass === "crypto" ? DAY_MS : EQUITY_SESSION_MS) / ms;
  const intradayEquity = interval !== "1d" && assetClass === "equity";
  if (intradayEquity) newYorkSession ??= exchangeDaySession(NEW_YORK);
  return {
    allowNonPositive: assetClass === "bond",
    periodsPerYear: periodsPerYear(assetClass, barsPerDay),
    session: intradayEquity ? newYorkSession : utcDaySession,
  };
}

export function newIndicators(assetClass: AssetClass, interval: Interval): BarIndicators {
  return new BarIndicators(indicatorOptionsFor(assetClass, interval));
}

/** Bars of one series in ts order, one per ts (the later one in the input wins, as a correction would). */
export function orderSeries(bars: readonly Bar[]): Bar[] {
  const byTs = new Map<number, Bar>();
  for (const b of bars) byTs.set(Date.parse(b.ts), b);
  return [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
}

export interface EnrichedSeries {
  docs: BarDocument[];
  /** Bars the indicators refused (InvalidInputError): the stream dead-letters these, so they are left out here too. */
  rejected: { bar: Bar; reason: string }[];
  indicators: BarIndicators;
  /** The quality checks over the accepted bars (their findings are on the documents): the checker after the last bar, and every day's counts. */
  quality: Pick<CheckedSeries, "checker" | "days"> | null;
}

/**
 * The batch form: one series from its origin, in ts order, through a fresh BarIndicators, then the quality checks
 * (checkSeries) over the bars the indicators accepted. `conflicts(bar)`: conflicting versions of the bar already
 * recorded (the stream's count on a stored document; the lake keeps only the last version).
 */
export function enrichSeries(
  bars: readonly Bar[],
  processedTs: Date,
  conflicts: (bar: Bar) => number = () => 0,
): EnrichedSeries {
  const ordered = orderSeries(bars);
  const first = ordered[0];
  const set = first ? newIndicators(first.assetClass, first.interval) : new BarIndicators();
  const docs: BarDocument[] = [];
  const accepted: Bar[] = [];
  const rejected: EnrichedSeries["rejected"] = [];
  for (const b of ordered) {
    try {
      const v = set.update(indicatorBar(b));
      docs.push(toBarDocument(b, v, set.warm, processedTs));
      accepted.push(b);
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      rejected.push({ bar: b, reason: err.message });
    }
  }
  if (!first) return { docs, rejected, indicators: set, quality: null };
  const checked = checkSeries(first, accepted.map(qualityInput), (i) => conflicts(accepted[i]!));
  docs.forEach((d, i) => {
    d.quality = checked.quality[i]!;
  });
  return { docs, rejected, indicators: set, quality: { checker: checked.checker, days: checked.days } };
}
