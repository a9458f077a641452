import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, type TestDb } from "../testing.ts";

describe("MongoDB client against the native MongoDB-wire server", () => {
  let mongo: TestDb;

  beforeAll(async () => {
    mongo = await connectTestDb("it");
  });
  afterAll(async () => mongo?.dropAndClose());

  it("answers a health check with its version", async () => {
    const h = await mongo.health();
    expect(h.ok).toBe(true);
    expect(h.version).toMatch(/^\d+\.\d+/);
  });

  it("keeps one document per key under a unique compound index when a bulk upsert is applied twice", async () => {
    const bars = mongo.db.collection<{ symbol: string; interval: string; ts: Date; close: number }>("bars");
    await bars.createIndex({ symbol: 1, interval: 1, ts: 1 }, { unique: true, name: "bar_key" });
    const indexes = await bars.indexes();
    expect(indexes.find((i) => i.name === "bar_key")?.unique).toBe(true);

    const docs = Array.from({ length: 50 }, (_, i) => ({
      symbol: i % 2 ? "AAPL" : "MSFT",
      interval: "1d",
      ts: new Date(Date.UTC(2020, 0, 2 + Math.floor(i / 2))),
      close: 100 + i,
    }));
    const upsertAll = (closeShift: number) =>
      bars.bulkWrite(
        docs.map((d) => ({
          updateOne: {
            filter: { symbol: d.symbol, interval: d.interval, ts: d.ts },
            update: { $set: { ...d, close: d.close + closeShift } },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    const first = await upsertAll(0);
    expect(first.upsertedCount).toBe(50);
    const second = await upsertAll(0.5);
    expect(second.upsertedCount).toBe(0);
    expect(second.matchedCount).toBe(50);

    expect(await bars.countDocuments()).toBe(50);
    const one = await bars.findOne({ symbol: "AAPL", interval: "1d", ts: new Date(Date.UTC(2020, 0, 2)) });
    expect(one?.close).toBe(101.5);

    // The unique index refuses a plain duplicate insert.
    await expect(bars.insertOne({ ...docs[0]! })).rejects.toThrow(/duplicate key|E11000/i);
  });
});
