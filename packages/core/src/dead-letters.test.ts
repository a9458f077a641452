import { describe, expect, it } from "vitest";
import { DLQ_HEADERS, deadLetter } from "./dead-letters.ts";

describe("dead letters", () => {
  const now = new Date("2024-01-01T00:00:00Z");

  it("carries a consumed message's value and headers unchanged, with where it was and why", () => {
    const d = deadLetter(
      {
        topic: "trades",
        partition: 2,
        offset: "41",
        key: "AAPL",
        value: Buffer.from("{"),
        headers: { id: "x" },
        timestamp: 1_704_067_200_000,
      },
      "json",
      "invalid JSON",
      now,
    );
    expect(d.key).toBe("AAPL");
    expect(d.value.toString()).toBe("{");
    expect(d.headers).toEqual({
      id: "x",
      [DLQ_HEADERS.topic]: "trades",
      [DLQ_HEADERS.partition]: "2",
      [DLQ_HEADERS.offset]: "41",
      [DLQ_HEADERS.reason]: "invalid JSON",
      [DLQ_HEADERS.kind]: "json",
      [DLQ_HEADERS.timestamp]: "1704067200000",
      [DLQ_HEADERS.failedAt]: "2024-01-01T00:00:00.000Z",
    });
  });

  it("names the source of a message refused before Kafka, and bounds the reason", () => {
    const d = deadLetter(
      { source: "finnhub", key: null, value: "nope", timestamp: 5 },
      "source",
      "x".repeat(5_000),
      now,
    );
    expect(d.headers).toMatchObject({ [DLQ_HEADERS.topic]: "finnhub", [DLQ_HEADERS.kind]: "source" });
    expect(d.headers?.[DLQ_HEADERS.partition]).toBeUndefined();
    expect(d.headers?.[DLQ_HEADERS.reason]).toHaveLength(2_000);
  });
});
