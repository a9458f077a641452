import type { Logger } from "@quant/core";
import type { SourceName } from "../args.ts";
import type { ScraperConfig } from "../config.ts";
import { ensureGeneratedRecordings } from "./generated-recordings.ts";
import { createReplayFetch, loadRecordings, matchRecording } from "./replay.ts";
import { createSyntheticSource } from "./synthetic.ts";
import type { MarketSource } from "./types.ts";
import { createYahooSource, type YahooSourceOptions } from "./yahoo.ts";

type CommonOptions = Omit<YahooSourceOptions, "name" | "fetch" | "provenanceOf">;

/**
 * `--source replay`: real recordings (the recorded Yahoo responses and the ones converted from PyPI data files),
 * then generated ones for what they lack, written on first use. Bars of a window served by a generated recording
 * are labelled `synthetic`.
 */
export function createReplaySource(
  opts: CommonOptions & { realDirs: readonly string[]; generatedDir: string; seed: number },
): MarketSource {
  const log = opts.logger;
  const real = loadRecordings(opts.realDirs).filter((r) => r.provenance === "replay");
  if (real.length === 0) {
    // Not fatal (generated recordings may still serve some symbols), but a likely misconfiguration.
    log.warn(
      { dirs: opts.realDirs },
      "no recorded Yahoo responses found; set YAHOO_FIXTURES_DIR to the recordings folder (../shared/fixtures/yahoo) and run `pnpm fixtures`",
    );
  }
  const { manifest, written } = ensureGeneratedRecordings(opts.generatedDir, opts.seed, real);
  if (written)
    log.info(
      { dir: opts.generatedDir, files: manifest.entries.length, notGenerated: manifest.skipped },
      "generated (synthetic) recordings written",
    );
  const generated = loadRecordings([opts.generatedDir]).filter((r) => r.provenance === "synthetic");
  const recordings = [...real, ...generated];
  log.info({ real: real.length, generated: generated.length }, "replay recordings loaded");
  return createYahooSource({
    ...opts,
    name: "replay",
    fetch: createReplayFetch(recordings),
    provenanceOf: (q) => matchRecording(recordings, q)?.provenance ?? "replay",
  });
}

/** The source named on the command line, wired from the configuration. */
export function createSource(name: SourceName, config: ScraperConfig, logger: Logger): MarketSource {
  if (name === "synthetic") return createSyntheticSource(config.SYNTHETIC_SEED);
  const common: CommonOptions = {
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
  return createReplaySource({
    ...common,
    realDirs: [config.YAHOO_FIXTURES_DIR, config.YAHOO_DATA_FILES_DIR],
    generatedDir: config.YAHOO_GENERATED_FIXTURES_DIR,
    seed: config.SYNTHETIC_SEED,
  });
}
