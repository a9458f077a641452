import type { AssetClass, Bar, CorporateEvent, Interval } from "@quant/core";
import type { SourceName } from "../args.ts";

export interface SeriesRequest {
  symbol: string;
  assetClass: AssetClass;
  interval: Interval;
  /** Trading dates, both included. */
  from: string;
  to: string;
}

export interface SeriesResult {
  bars: Bar[];
  events: CorporateEvent[];
  nullBars: string[];
  partialNullBars: string[];
  invalidBars: { ts: string; reason: string }[];
  outsideWindow: number;
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
  return {
    bars: [],
    events: [],
    nullBars: [],
    partialNullBars: [],
    invalidBars: [],
    outsideWindow: 0,
    requests: 0,
    notes: [],
  };
}
