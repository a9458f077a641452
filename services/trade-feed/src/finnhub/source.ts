// The Finnhub source: WebSocket messages -> trade messages on the trades topic. Messages that are not in Finnhub's
// format go to the dead-letter topic (kind `source`) with the reason; pings are counted; Finnhub's error messages
// are logged.
import { deadLetter, type Logger, type ProducerHandle } from "@quant/core";
import type { TradeSender } from "../sender.ts";
import { FinnhubClient, type FinnhubClientOptions } from "./client.ts";
import { FinnhubFormatError, FinnhubTrades, parseFinnhubMessage } from "./format.ts";

export interface FinnhubSourceStats {
  trades: number;
  pings: number;
  errors: number;
  deadLetters: number;
}

export interface RunningFinnhubSource {
  client: FinnhubClient;
  stats: FinnhubSourceStats;
  stop(): Promise<void>;
}

export function startFinnhubSource(
  opts: Omit<FinnhubClientOptions, "onMessage" | "logger">,
  deps: { sender: TradeSender; producer: ProducerHandle; deadLetterTopic: string; logger: Logger },
): RunningFinnhubSource {
  const log = deps.logger.child({ component: "finnhub-source" });
  const stats: FinnhubSourceStats = { trades: 0, pings: 0, errors: 0, deadLetters: 0 };
  const prints = new FinnhubTrades(Date.now());
  const pendingDeadLetters = new Set<Promise<void>>();
  const client = new FinnhubClient({
    ...opts,
    logger: deps.logger,
    onMessage(text, receivedAt) {
      try {
        const event = parseFinnhubMessage(text);
        if (event.type === "trade")
          for (const p of event.data) {
            const { key, trade } = prints.toTrade(p, receivedAt);
            deps.sender.add(key, JSON.stringify(trade));
            stats.trades++;
          }
        else if (event.type === "ping") stats.pings++;
        else if (event.type === "error") {
          stats.errors++;
          log.error({ message: event.message }, "Finnhub reported an error");
        }
      } catch (err) {
        if (!(err instanceof FinnhubFormatError)) throw err;
        stats.deadLetters++;
        log.warn({ reason: err.message }, "message not in Finnhub's format: dead-lettered");
        const sent = deps.producer
          .send(deps.deadLetterTopic, [
            deadLetter(
              { source: "finnhub", key: null, value: text, timestamp: receivedAt },
              "source",
              err.message,
              new Date(),
            ),
          ])
          .catch((e: unknown) => log.error({ err: (e as Error).message }, "dead letter not delivered"))
          .finally(() => pendingDeadLetters.delete(sent));
        pendingDeadLetters.add(sent);
      }
    },
  });
  client.start();
  return {
    client,
    stats,
    async stop() {
      await client.stop();
      await deps.sender.flush();
      await Promise.all(pendingDeadLetters);
    },
  };
}
