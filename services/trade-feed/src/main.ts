#!/usr/bin/env node
// trade-feed synthetic [flags] | trade-feed finnhub [--symbols A,B]   (docs/trades.md)
// Trades go to TRADES_TOPIC, one per message, keyed by symbol. Exit codes: 0 done, or stopped by SIGTERM/SIGINT
// (what was generated or received is sent first); 1 Kafka unreachable or a send failed; 2 bad arguments or
// configuration; 130 second signal.
import { commandLineOrExit, createKafkaBus, createLogger, loadConfigOrExit, onShutdown } from "@quant/core";
import { parseFeedArgs, USAGE } from "./args.ts";
import { type FinnhubConfig, feedEnv, finnhubEnv } from "./config.ts";
import { startFinnhubSource } from "./finnhub/source.ts";
import { TradeSender } from "./sender.ts";
import { runSynthetic } from "./synthetic.ts";

const request = commandLineOrExit(parseFeedArgs, USAGE, { usageOnError: true });
const config = request.source === "finnhub" ? loadConfigOrExit(finnhubEnv) : loadConfigOrExit(feedEnv);
const logger = createLogger("trade-feed", config.LOG_LEVEL);
const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-trade-feed` }, logger);

async function feed(signal: AbortSignal): Promise<number> {
  try {
    await bus.connect();
    const producer = await bus.producer({ idempotent: true, compression: config.FEED_COMPRESSION });
    const sender = new TradeSender(producer, config.TRADES_TOPIC, {
      lingerMs: config.FEED_LINGER_MS,
      maxBatch: config.FEED_MAX_BATCH,
    });
    if (request.source === "synthetic") {
      const s = await runSynthetic(request, { sender, seed: config.SYNTHETIC_SEED, signal, logger });
      logger.info({ ...s, topic: config.TRADES_TOPIC }, "synthetic feed finished");
    } else {
      const fh = config as FinnhubConfig;
      const source = startFinnhubSource(
        {
          url: fh.FINNHUB_URL,
          apiKey: fh.FINNHUB_API_KEY,
          symbols: request.symbols ?? fh.FINNHUB_SYMBOLS,
          reconnectMinMs: fh.FINNHUB_RECONNECT_MIN_MS,
          reconnectMaxMs: fh.FINNHUB_RECONNECT_MAX_MS,
          staleMs: fh.FINNHUB_STALE_MS,
        },
        { sender, producer, deadLetterTopic: config.TRADES_DEAD_LETTER_TOPIC, logger },
      );
      const report = setInterval(() => logger.info({ ...source.stats, sent: sender.sent }, "streaming"), 30_000);
      await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
      clearInterval(report);
      await source.stop();
      logger.info({ ...source.stats, sent: sender.sent }, "finnhub feed stopped");
    }
    return 0;
  } catch (err) {
    logger.error({ err: (err as Error).message }, "trade feed failed");
    process.stderr.write(`trade feed failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await bus.close().catch(() => {});
  }
}

// The first signal ends the generator or the WebSocket; what was produced is sent before the exit.
let done: Promise<number> = Promise.resolve(0);
const shutdown = onShutdown({ logger, timeoutMs: 30_000, stop: () => done });
done = feed(shutdown.signal);
process.exit(await done);
