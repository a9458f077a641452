import type { AssetClass } from "./domain/market.ts";

/** Kafka topic names (from the original design) and the dead-letter topic. */
export const TOPICS = {
  crypto: "crypto_ticks",
  equities: "equities_ticks",
  bonds: "bonds_data",
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
