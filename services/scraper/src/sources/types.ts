import type { AssetClass, Interval } from "@quant/core";
import type { SourceName } from "../args.ts";
import { emptyNormalised, type Normalised } from "../normalise.ts";

export interface SeriesRequest {
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
  /** Trading dates, both included. */
  from: string;
  to: string;
}

/** The normalised bars and events of a series, and what it took to fetch them. */
export interface SeriesResult extends Normalised {
  /** Chart requests made (retries not counted). */
  requests: number;
  notes: string[];
}

/** Where bars come from: live Yahoo, recorded Yahoo responses, or the synthetic market. */
export interface MarketSource {
  name: SourceName;
  fetchSeries(req: SeriesRequest): Promise<SeriesResult>;
}

export function emptyResult(): SeriesResult {
  return { ...emptyNormalised(), requests: 0, notes: [] };
}
