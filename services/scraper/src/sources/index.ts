import type { Logger } from "@quant/core";
import type { SourceName } from "../args.ts";
import type { ScraperConfig } from "../config.ts";
import { generateRecordings } from "./generated-recordings.ts";
import { createReplayFetch, loadRecordings } from "./replay.ts";
import { createSyntheticSource } from "./synthetic.ts";
import type { MarketSource } from "./types.ts";
import { createYahooSource } from "./yahoo.ts";

/** The source named on the command line, wired from the configuration. */
export function createSource(name: SourceName, config: ScraperConfig, logger: Logger): MarketSource {
  if (name === "synthetic") return createSyntheticSource(config.SYNTHETIC_SEED);
  const common = {
    requestsPerSecond: config.SCRAPER_REQUESTS_PER_SECOND,
    concurrency: config.SCRAPER_CONCURRENCY,
    retry: {
      retries: config.SCRAPER_RETRIES,
      minTimeoutMs: config.SCRAPER_RETRY_MIN_MS,
      maxTimeoutMs: config.SCRAPER_RETRY_MAX_MS,
    },
    logger,
  };
  if (name === "yahoo") return createYahooSource({ name, fetch: globalThis.fetch, ...common });

  const real = loadRecordings([config.YAHOO_FIXTURES_DIR]);
  if (real.length === 0) {
    // Not fatal (generated recordings still serve every universe symbol), but a likely misconfiguration.
    logger.warn(
      { dir: config.YAHOO_FIXTURES_DIR },
      "no recorded Yahoo responses found; set YAHOO_FIXTURES_DIR to the recordings folder (../shared/fixtures/yahoo)",
    );
  }
  let generated = loadRecordings([config.YAHOO_GENERATED_FIXTURES_DIR]);
  if (generated.length === 0) {
    const files = generateRecordings(config.YAHOO_GENERATED_FIXTURES_DIR, config.SYNTHETIC_SEED, real);
    logger.info({ dir: config.YAHOO_GENERATED_FIXTURES_DIR, files: files.length }, "generated recordings");
    generated = loadRecordings([config.YAHOO_GENERATED_FIXTURES_DIR]);
  }
  logger.info({ real: real.length, generated: generated.length }, "replay recordings loaded");
  return createYahooSource({ name, fetch: createReplayFetch([...real, ...generated]), ...common });
}
