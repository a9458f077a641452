// The scraper's public surface: its configuration shape, the arguments of one run, and the run itself.
export { parseScrapeArgs, type ScrapeRequest } from "./args.ts";
export { type ScraperConfig, scraperEnv } from "./config.ts";
export { runScrape, type ScrapeDeps } from "./scrape.ts";
export { createSource } from "./sources/index.ts";
export type { RunSummary } from "./summary.ts";
