// The Yahoo chart source on yahoo-finance2; with a recorded-response fetch it is the replay source.
import type { BarSource, Logger } from "@quant/core";
import pThrottle from "p-throttle";
import YahooFinance from "yahoo-finance2";
import type { SourceName } from "../args.ts";
import { planRequests } from "../chunking.ts";
import { type ChartLike, normaliseChart } from "../normalise.ts";
import { type RetryOptions, withRetry } from "../retry.ts";
import { emptyResult, type MarketSource, type SeriesRequest } from "./types.ts";

export interface YahooSourceOptions {
  name: Extract<SourceName, "yahoo" | "replay">;
  /** The HTTP layer: global fetch for live Yahoo, the replay fetch for recordings. */
  fetch: typeof fetch;
  requestsPerSecond: number;
  concurrency: number;
  retry: RetryOptions;
  logger: Logger;
  now?: () => number;
  /**
   * The provenance of the bars one request returns (default: the source's name). The replay source answers
   * `synthetic` for a window served by a generated recording, so generated bars are never labelled `replay`.
   */
  provenanceOf?: (q: { symbol: string; interval: string; period1: number; period2: number }) => BarSource;
}

/** Wraps a fetch in the global request-rate gate: every HTTP request, retries included, waits its turn. */
export function rateGatedFetch(inner: typeof fetch, requestsPerSecond: number): typeof fetch {
  // Whole requests per window; below 1/s the window grows instead (0.5/s = 1 per 2 s).
  const limit = Math.max(1, Math.floor(requestsPerSecond));
  const throttle = pThrottle({ limit, interval: Math.round((1000 * limit) / requestsPerSecond), strict: true });
  return throttle((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    inner(input, init),
  ) as unknown as typeof fetch;
}

export function createYahooSource(opts: YahooSourceOptions): MarketSource {
  const log = opts.logger.child({ component: `source-${opts.name}` });
  const now = opts.now ?? Date.now;
  const yf = new YahooFinance({
    fetch: rateGatedFetch(opts.fetch, opts.requestsPerSecond),
    versionCheck: false,
    suppressNotices: ["yahooSurvey", "ripHistorical"],
    queue: { concurrency: opts.concurrency },
    // Validation failures are thrown (and counted as a failed symbol), not printed by the library.
    validation: { logErrors: false, logOptionsErrors: false },
  });

  return {
    name: opts.name,
    async fetchSeries(req: SeriesRequest) {
      const result = emptyResult();
      const startedAt = now();
      const plan = planRequests(req.interval, req.from, req.to, startedAt, opts.name === "yahoo");
      result.notes.push(...plan.notes);
      for (const note of plan.notes) log.info({ symbol: req.symbol }, note);
      const ingestTs = new Date(startedAt).toISOString();
      const seen = new Set<string>();
      for (const window of plan.windows) {
        result.requests++;
        const chart = (await withRetry(
          () =>
            yf.chart(req.symbol, {
              period1: new Date(window.startMs),
              period2: new Date(window.endMs),
              interval: req.interval,
              includePrePost: false,
              events: "div|split",
              return: "array",
            }),
          {
            ...opts.retry,
            onRetry: ({ attempt, delayMs, error }) => {
              log.warn({ symbol: req.symbol, attempt, delayMs, err: error.message }, "retrying chart request");
              opts.retry.onRetry?.({ attempt, delayMs, error });
            },
          },
        )) as ChartLike;
        const n = normaliseChart(chart, {
          symbol: req.symbol,
          assetClass: req.assetClass,
          interval: req.interval,
          source:
            opts.provenanceOf?.({
              symbol: req.symbol,
              interval: req.interval,
              period1: window.startMs,
              period2: window.endMs,
            }) ?? opts.name,
          window,
          now: now(),
          ingestTs,
        });
        // Windows do not overlap, but a recording served for two windows must not yield a bar twice.
        for (const b of n.bars) if (!seen.has(b.id) && seen.add(b.id)) result.bars.push(b);
        result.events.push(...n.events);
        result.nullBars.push(...n.nullBars);
        result.partialNullBars.push(...n.partialNullBars);
        result.invalidBars.push(...n.invalidBars);
        result.outsideWindow += n.outsideWindow;
      }
      result.events.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
      return result;
    },
  };
}
