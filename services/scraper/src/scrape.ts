// One scrape run: every (symbol, interval) fetched, normalised, published and written to the lake,
// under a concurrency limit. One bad symbol never fails the others.
import {
  type Bar,
  type CorporateEvent,
  InvalidBarError,
  type Logger,
  type ObjectStore,
  type ProducerHandle,
  parseBar,
  publishBars,
} from "@quant/core";
import pLimit from "p-limit";
import type { ScrapeRequest } from "./args.ts";
import { writeBarsToLake, writeEventsToLake } from "./lake-writer.ts";
import type { MarketSource } from "./sources/types.ts";
import { type RunSummary, type SymbolOutcome, summarise } from "./summary.ts";

/** Where bars go; both are real clients in main and in the integration tests. */
export interface BarSinks {
  producer: ProducerHandle;
  lake: ObjectStore;
}

export interface ScrapeDeps {
  source: MarketSource;
  sinks: BarSinks;
  logger: Logger;
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * The scraper's output border: every bar, whatever its source, passes the gate of every border (parseBar: schema,
 * identity, plausibility) before it reaches the lake or Kafka; the others are counted as invalid, with the reason.
 */
export function gateBars(bars: readonly Bar[]): { bars: Bar[]; refused: { ts: string; reason: string }[] } {
  const out: Bar[] = [];
  const refused: { ts: string; reason: string }[] = [];
  for (const b of bars) {
    try {
      out.push(parseBar(b));
    } catch (err) {
      if (!(err instanceof InvalidBarError)) throw err;
      refused.push({ ts: String(b.ts), reason: err.message });
    }
  }
  return { bars: out, refused };
}

async function deliver(sinks: BarSinks, bars: Bar[], events: CorporateEvent[]) {
  // Lake first: a bar seen downstream on Kafka is then always in the lake too.
  const lake = await writeBarsToLake(sinks.lake, bars);
  if (events.length > 0) await writeEventsToLake(sinks.lake, events);
  await publishBars(sinks.producer, bars);
  return lake;
}

export async function runScrape(req: ScrapeRequest, deps: ScrapeDeps): Promise<RunSummary> {
  const started = performance.now();
  const log = deps.logger.child({ component: "scrape", job: req.job, source: req.source });
  const limit = pLimit(deps.concurrency);
  const tasks = req.symbols.flatMap((symbol) => req.intervals.map((interval) => ({ symbol, interval })));
  log.info({ symbols: req.symbols.length, intervals: req.intervals, from: req.from, to: req.to }, "scrape started");

  const outcomes = await Promise.all(
    tasks.map(({ symbol, interval }) =>
      limit(async (): Promise<SymbolOutcome> => {
        const t0 = performance.now();
        const outcome: SymbolOutcome = {
          symbol,
          interval,
          ok: false,
          bars: 0,
          partialBars: 0,
          nullBars: 0,
          partialNullBars: [],
          invalidBars: 0,
          events: 0,
          objects: 0,
          requests: 0,
          ms: 0,
        };
        try {
          if (deps.signal?.aborted) throw new Error("aborted by signal before start");
          const series = await deps.source.fetchSeries({
            symbol,
            assetClass: req.assetClass,
            interval,
            from: req.from,
            to: req.to,
          });
          const gated = gateBars(series.bars);
          const invalidBars = [...series.invalidBars, ...gated.refused];
          outcome.requests = series.requests;
          outcome.nullBars = series.nullBars.length;
          outcome.partialNullBars = series.partialNullBars;
          outcome.invalidBars = invalidBars.length;
          outcome.events = series.events.length;
          outcome.bars = gated.bars.length;
          outcome.partialBars = gated.bars.filter((b) => b.partial).length;
          if (series.partialNullBars.length > 0 || invalidBars.length > 0)
            log.warn(
              { symbol, interval, partialNullBars: series.partialNullBars, invalidBars },
              "bars flagged and not emitted",
            );
          const lake = await deliver(deps.sinks, gated.bars, series.events);
          outcome.objects = lake.objects.length;
          outcome.ok = true;
        } catch (err) {
          outcome.error = (err as Error).message.split("\n")[0]?.slice(0, 300) ?? String(err);
          log.error({ symbol, interval, err: outcome.error }, "symbol failed");
        }
        outcome.ms = performance.now() - t0;
        return outcome;
      }),
    ),
  );
  const summary = summarise(req, outcomes, performance.now() - started);
  const { outcomes: _, ...totals } = summary;
  log.info({ ...totals, failedSymbols: outcomes.filter((o) => !o.ok).map((o) => o.symbol) }, "scrape finished");
  return summary;
}
