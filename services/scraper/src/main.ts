#!/usr/bin/env node
// scrape <job> [--symbols A,B] [--from D --to D] [--interval 1m|5m|1d] [--source yahoo|replay|synthetic]
// Exit codes: 0 ok (some symbols may have failed), 1 every symbol failed or a sink is down, 2 bad arguments/config.
import {
  commandLineOrExit,
  createKafkaBus,
  createLogger,
  createObjectStore,
  loadConfigOrExit,
  onShutdown,
  pushJobMetrics,
  s3ConfigFromEnv,
} from "@quant/core";
import { parseScrapeArgs, USAGE } from "./args.ts";
import { scraperEnv } from "./config.ts";
import { scrapeMetrics } from "./metrics.ts";
import { runScrape } from "./scrape.ts";
import { createSource } from "./sources/index.ts";
import { exitCodeOf, summaryLines } from "./summary.ts";

const request = commandLineOrExit(parseScrapeArgs, USAGE);
const config = loadConfigOrExit(scraperEnv);
const logger = createLogger("scraper", config.LOG_LEVEL);

const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-scraper` }, logger);
const lake = createObjectStore(s3ConfigFromEnv(config), logger);

async function run(signal: AbortSignal): Promise<number> {
  let code = 1;
  try {
    const source = createSource(request.source, config, logger);
    await lake.ensureBucket();
    const producer = await bus.producer({ idempotent: true });
    const summary = await runScrape(request, {
      source,
      sinks: { producer, lake },
      logger,
      concurrency: config.SCRAPER_CONCURRENCY,
      signal,
    });
    process.stdout.write(`${summaryLines(summary).join("\n")}\n`);
    code = exitCodeOf(summary);
    // One Pushgateway group per job (equities-eod, crypto, ...): a run replaces its job's previous push only.
    await pushJobMetrics(config.PUSHGATEWAY_URL, "scraper", scrapeMetrics(summary).registry, logger, request.job);
  } catch (err) {
    // A sink (Kafka, MinIO) unreachable: nothing could be delivered.
    logger.error({ err: (err as Error).message }, "scrape aborted");
    process.stderr.write(`scrape failed: ${(err as Error).message}\n`);
  } finally {
    await bus.close().catch(() => {});
    await lake.close();
  }
  return signal.aborted && code === 0 ? 130 : code;
}

// A signal: the symbols in flight finish and are delivered; the rest are skipped and reported as failed.
let finished: Promise<number> = Promise.resolve(1);
const shutdown = onShutdown({ logger, stop: () => finished });
finished = run(shutdown.signal);
process.exit(await finished);
