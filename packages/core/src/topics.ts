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

/**
 * The keying rule of the bar and trade topics, written once: a message's key is its symbol, so that a symbol's
 * messages share one partition and one consumer's state. A consumer refuses a valid message keyed otherwise (it
 * would be applied to a second state of its symbol, in another partition): the reason, or null when it is keyed right.
 */
export function symbolKeyMismatch(key: string | null, symbol: string, noun: "bar" | "trade"): string | null {
  if (key === symbol) return null;
  return `message key ${JSON.stringify(key)} is not the ${noun}'s symbol "${symbol}": ${noun}s are keyed by their symbol (a symbol's messages share one partition)`;
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
