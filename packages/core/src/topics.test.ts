import { describe, expect, it } from "vitest";
import { TOPIC_SPECS, TOPICS, topicForAsset } from "./topics.ts";
import { UNIVERSE, universeSymbols } from "./universe.ts";

describe("topics and universe", () => {
  it("routes each asset class to the design's topic", () => {
    expect(topicForAsset("crypto")).toBe("crypto_ticks");
    expect(topicForAsset("equity")).toBe("equities_ticks");
    expect(topicForAsset("bond")).toBe("bonds_data");
  });

  it("declares a spec for every topic", () => {
    expect(TOPIC_SPECS.map((s) => s.topic).sort()).toEqual(Object.values(TOPICS).sort());
  });

  it("holds the original design's universe", () => {
    expect(UNIVERSE.bonds.symbols).toEqual(["^IRX", "^FVX", "^TNX", "^TYX"]);
    expect(UNIVERSE["equities-eod"].symbols).toHaveLength(12);
    expect(UNIVERSE.crypto.intervals).toEqual(["1m", "5m"]);
    const all = universeSymbols();
    expect(all).toHaveLength(21);
    expect(all.find((s) => s.symbol === "BTC-USD")?.assetClass).toBe("crypto");
  });
});
