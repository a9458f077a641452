import type { AssetClass } from "./domain/market.ts";

/** Kafka topic names (from the original design) and the dead-letter topic. */
export const TOPICS = {
  crypto: "crypto_ticks",
  equities: "equities_ticks",
  bonds: "bonds_data",
  /** Trades (message v1, one per message), keyed by symbol: the candle aggregator's input. */
  trades: "trades",
  deadLetter: "dead_letters",
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const BAR_TOPICS: readonly Topic[] = [TOPICS.crypto, TOPICS.equities, TOPICS.bonds];

export function topicForAsset(assetClass: AssetClass): Topic {
  switch (assetClass) {
    case "crypto":
      return TOPICS.crypto;
    case "equity":
      return TOPICS.equities;
    case "bond":
      return TOPICS.bonds;
  }
}

/** Partitions and retention of each topic; `pnpm stack up` and the compose init service create them. */
export const TOPIC_SPECS: readonly { topic: Topic; partitions: number; config: Record<string, string> }[] = [
  { topic: TOPICS.crypto, partitions: 6, config: { "retention.ms": String(7 * 86_400_000) } },
  { topic: TOPICS.equities, partitions: 6, config: { "retention.ms": String(7 * 86_400_000) } },
  { topic: TOPICS.bonds, partitions: 1, config: { "retention.ms": String(30 * 86_400_000) } },
  // A day of trades at high rates is large: 3 days of retention, the lake keeps them for good.
  { topic: TOPICS.trades, partitions: 6, config: { "retention.ms": String(3 * 86_400_000) } },
  { topic: TOPICS.deadLetter, partitions: 1, config: { "retention.ms": String(30 * 86_400_000) } },
];
