// The scraper's public surface: its configuration shape, the arguments of one run, and the run itself.
export { parseScrapeArgs, type ScrapeRequest } from "./args.ts";
export { type ScraperConfig, scraperEnv } from "./config.ts";
export { runScrape, type ScrapeDeps } from "./scrape.ts";
export {
  convertDataFile,
  DATA_FILE_PACKAGES,
  DATA_FILES,
  type DataFileSpec,
} from "./sources/data-files.ts";
export { ensureGeneratedRecordings } from "./sources/generated-recordings.ts";
export { createReplaySource, createSource } from "./sources/index.ts";
export { loadRecordings, matchRecording, type Recording } from "./sources/replay.ts";
export type { RunSummary } from "./summary.ts";
