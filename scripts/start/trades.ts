// `pnpm start --source trades`: instead of the DAG run, the trade path — the candle aggregator and the trade archiver,
// then the synthetic trade feed (paced, 1,000 trades/s over the SYN- symbols), until the dashboard's API serves a
// forming candle; then a summary of the trade path. The stream processor (enriching the 1m candle bars) and the API
// run as in the other modes.
import { createKafkaBus, createLogger, TOPICS } from "@quant/core";
import { waitUntil } from "../stack/wait.ts";
import type { Runner } from "./main.ts";
import { service } from "./services.ts";
import { collectionCounts, withRunData } from "./summary.ts";

/** Trades per second of the feed `pnpm start --source trades` runs. */
export const START_TRADES_RATE = 1_000;

export async function startTrades(runner: Runner): Promise<void> {
  await runner.progress.step("candle aggregator and trade archiver", async () => {
    for (const name of ["trade-aggregator", "trade-archiver"] as const)
      runner.children.start(name, service(name).script, [], runner.envFor(name));
  });
  const base = `http://127.0.0.1:${runner.ports.api}`;
  await runner.progress.step(
    `synthetic trade feed, ${START_TRADES_RATE.toLocaleString("en-US")} trades/s (generated, not market data)`,
    async (s) => {
      const feed = service("trade-feed");
      const child = runner.children.start(
        "trade-feed",
        feed.script,
        [...feed.args, "--rate", String(START_TRADES_RATE)],
        runner.envFor("trade-feed"),
      );
      const failIf = runner.children.exited(child);
      s.detail("waiting for the first forming candle on the dashboard's API");
      return waitUntil(
        async () => {
          const res = await fetch(`${base}/api/candles/forming`, { signal: AbortSignal.timeout(10_000) }).catch(
            () => null,
          );
          const n = res?.ok ? ((await res.json()) as { candles: unknown[] }).candles.length : 0;
          return n > 0 ? n : null;
        },
        { what: `a forming candle at ${base}/api/candles/forming`, timeoutMs: 300_000, failIf },
      );
    },
    (n) => `${n} candles forming (symbols × widths), live on ${base}/`,
  );
}

/** Messages retained in the trades topic. */
async function tradesOnKafka(brokers: string): Promise<number> {
  const bus = createKafkaBus(
    { brokers: brokers.split(","), clientId: "quant-start", failFast: true },
    createLogger("start", "silent"),
  );
  try {
    await bus.connect();
    return (await bus.topicOffsets(TOPICS.trades)).reduce((n, p) => n + p.high - p.low, 0);
  } finally {
    await bus.close();
  }
}

export async function tradesSummary(runner: Runner): Promise<string[]> {
  const trades = await tradesOnKafka(runner.env.KAFKA_BROKERS!);
  return withRunData(runner.env, async ({ db }) => {
    const counts = new Map((await collectionCounts(db)).map((c) => [c.name, c.documents]));
    const n = (name: string) => (counts.get(name) ?? 0).toLocaleString("en-US");
    return [
      "pnpm start --source trades: generated trades (SYN- symbols, exchange SYNTHETIC), not market data",
      `  trades retained on Kafka: ${trades.toLocaleString("en-US")} (topic ${TOPICS.trades})`,
      `  candles forming: ${n("candles_forming")}; closed: ${n("candles")}; enriched bars: ${n("bars_intraday")}; rollups: ${n("bars_rollup")}`,
      `  database ${runner.env.MONGODB_DB}, trade lake in bucket ${runner.env.S3_BUCKET} (objects once a minute)`,
      `  dashboard: http://127.0.0.1:${runner.ports.api}/ (panel "Forming candle (trades)")`,
    ];
  });
}
