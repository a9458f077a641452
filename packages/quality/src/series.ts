// The batch form: a whole series through one QualityChecker, from its origin, in ts order. The stream's rebuild and
// late-bar paths and the batch processor use it; it equals feeding the stream form bar by bar (tested).
import { type BarQuality, type QualityDayDocument, qualityDayId, qualityScore } from "@quant/core";
import { QualityChecker, type QualityDay, type QualityInput, type QualitySeries } from "./checker.ts";
import type { QualityParams } from "./params.ts";

export interface CheckedSeries {
  /** quality[i] belongs to bars[i]. */
  quality: BarQuality[];
  /** Every day from the first bar's to the last bar's (the last one as it stands), in date order. */
  days: QualityDay[];
  /** The checker after the last bar: a stream continues from it. */
  checker: QualityChecker;
}

/**
 * Checks a series given in strictly increasing ts order (one version per bar). `conflicts(i)`: conflicting versions
 * of bars[i] already recorded (the stream's count on the stored document: the lake keeps only the last version).
 */
export function checkSeries(
  series: QualitySeries,
  bars: readonly QualityInput[],
  conflicts: (index: number) => number = () => 0,
  params?: Readonly<QualityParams>,
): CheckedSeries {
  const checker = new QualityChecker(series, params);
  const quality: BarQuality[] = [];
  const days: QualityDay[] = [];
  for (let i = 0; i < bars.length; i++) {
    quality.push(checker.update(bars[i]!, conflicts(i)));
    const amended = checker.amendedPrevious;
    if (amended) quality[i - 1] = amended;
    for (const d of checker.drainClosedDays()) days.push(d);
  }
  const open = checker.openDay();
  if (open) days.push(open);
  return { quality, days, checker };
}

/** The `quality` collection row of a series' day. */
export function toQualityDayDocument(series: QualitySeries, day: QualityDay, processedTs: Date): QualityDayDocument {
  return {
    _id: qualityDayId(series.symbol, series.interval, day.tradingDate),
    symbol: series.symbol,
    assetClass: series.assetClass,
    interval: series.interval,
    tradingDate: day.tradingDate,
    ...day.counts,
    flags: { ...day.counts.flags },
    score: qualityScore(day.counts),
    lastTs: day.lastTs === null ? null : new Date(day.lastTs),
    processedTs,
  };
}
