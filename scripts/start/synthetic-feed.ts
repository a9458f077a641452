// `pnpm start --source synthetic` keeps the pipeline fed: every FEED_TICK_MS this process produces the crypto 1m
// bars of the synthetic market that closed since the last tick (5 symbols: 5 bars a minute), to crypto_ticks, the
// way the scraper does (same message, key and headers). It starts FEED_BACKFILL_MINUTES back, so the dashboard has
// a chart at once. Deterministic ids: a restart re-sends bars the stream processor then skips as duplicates.
// SIGTERM/SIGINT: finish the send in flight, disconnect, exit 0.
import {
  createKafkaBus,
  createLogger,
  envInt,
  kafkaEnv,
  loadConfigOrExit,
  logEnv,
  publishBars,
  UNIVERSE,
} from "@quant/core";
import { SyntheticMarket } from "@quant/synthetic";
import { z } from "zod";

const config = loadConfigOrExit({
  ...logEnv,
  ...kafkaEnv,
  SYNTHETIC_SEED: z.coerce.number().int().default(42),
  FEED_TICK_MS: envInt(100, 600_000).default(5_000),
  FEED_BACKFILL_MINUTES: envInt(0, 1_440).default(120),
});
const logger = createLogger("synthetic-feed", config.LOG_LEVEL);
const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-feed` }, logger);
await bus.connect();
const producer = await bus.producer({ idempotent: true });
const market = new SyntheticMarket({ seed: config.SYNTHETIC_SEED, ingestTs: new Date().toISOString() });
const symbols = UNIVERSE.crypto.symbols;
const MINUTE = 60_000;

let last = Date.now() - config.FEED_BACKFILL_MINUTES * MINUTE;
let stopping = false;
let sent = 0;

async function tick(): Promise<void> {
  const now = Date.now();
  // Bars closed by now: those opened before the current minute; `last` is the open time of the next one to send.
  const closedBefore = Math.floor(now / MINUTE) * MINUTE;
  if (closedBefore <= last) return;
  const days = new Set([new Date(last).toISOString().slice(0, 10), new Date(now).toISOString().slice(0, 10)]);
  const bars = [...days].flatMap((d) =>
    symbols.flatMap((s) =>
      market.barsOfDate(s, "crypto", "1m", d).filter((b) => {
        const t = Date.parse(b.ts);
        return t >= last && t < closedBefore;
      }),
    ),
  );
  bars.sort((a, b) => a.ts.localeCompare(b.ts));
  if (bars.length > 0) await publishBars(producer, bars);
  sent += bars.length;
  last = closedBefore;
  logger.info({ bars: bars.length, total: sent, upTo: new Date(closedBefore).toISOString() }, "produced");
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, total: sent }, "stopping");
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));

logger.info({ symbols, tickMs: config.FEED_TICK_MS, backfillMinutes: config.FEED_BACKFILL_MINUTES }, "feeding");
while (!stopping) {
  try {
    await tick();
  } catch (err) {
    logger.error({ err: (err as Error).message }, "produce failed; retrying at the next tick");
  }
  const until = Date.now() + config.FEED_TICK_MS;
  while (!stopping && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}
await producer.disconnect();
await bus.close();
logger.info("stopped");
