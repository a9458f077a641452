// The scraper's configuration from the environment (zod), on the shared Kafka/S3/log parts of @quant/core.
import { join, resolve } from "node:path";
import { defaultCacheDir, envInt, kafkaEnv, logEnv, pushgatewayEnv, s3Env } from "@quant/core";
import { z } from "zod";

/** The repository root (services/scraper/src -> ../../..); /app in the container. */
export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

export const scraperEnv = {
  ...logEnv,
  ...kafkaEnv,
  ...s3Env,
  ...pushgatewayEnv,
  /** Symbols scraped at the same time. */
  SCRAPER_CONCURRENCY: envInt(1, 64).default(4),
  /** Global gate: at most this many HTTP requests to Yahoo per second, retries included. */
  SCRAPER_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1000).default(2),
  /** Retries of one request on 429, 5xx, 401/crumb and network errors. */
  SCRAPER_RETRIES: envInt(0, 20).default(4),
  /** First backoff delay; doubles per retry, randomised (jitter), capped by SCRAPER_RETRY_MAX_MS. */
  SCRAPER_RETRY_MIN_MS: z.coerce.number().int().min(0).default(1_000),
  SCRAPER_RETRY_MAX_MS: z.coerce.number().int().min(0).default(30_000),
  /** Recorded Yahoo responses for `--source replay` (read-only). */
  YAHOO_FIXTURES_DIR: z.string().min(1).default(resolve(REPO_ROOT, "../shared/fixtures/yahoo")),
  /** Recordings converted from real data files of PyPI packages (`pnpm fixtures` writes them; read-only here). */
  YAHOO_DATA_FILES_DIR: z
    .string()
    .min(1)
    .default(join(defaultCacheDir(), "fixtures", "yahoo-data-files")),
  /** Generated recordings (same format) for symbols without a real one; created on first replay run. */
  YAHOO_GENERATED_FIXTURES_DIR: z.string().min(1).default(resolve(REPO_ROOT, ".stack/fixtures/yahoo")),
  /** Seed of `--source synthetic` and of the generated recordings. */
  SYNTHETIC_SEED: z.coerce.number().int().default(42),
};

export type ScraperConfig = z.infer<z.ZodObject<typeof scraperEnv>>;
