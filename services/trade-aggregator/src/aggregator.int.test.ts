// Kafka -> candle aggregator -> MongoDB on the native servers, fed a generated stream with every kind of chaos:
// the candles equal an independent recomputation, every corrupt message is a dead letter with its reason, trades
// late within the lateness are applied, beyond it counted and dead-lettered as `late`; closed 1m candles come out
// as bars v1 on the bar topic; the forming candles are the newest open windows.
import { type Bar, candlesCollection, DLQ_HEADERS, formingCandlesCollection, parseBar, type Trade } from "@quant/core";
import { testLogger, waitFor } from "@quant/core/testing";
import { type Emission, parseWidth, TradeGenerator } from "@quant/trades";
import { plainCandles, plainOfDocuments } from "@quant/trades/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCandleAggregator } from "./run.ts";
import {
  createTradesEnv,
  produceEmissions,
  readTopic,
  snapshotCandles,
  stateAtEnd,
  type TradesTestEnv,
} from "./test-support.ts";

const T0 = Date.UTC(2024, 0, 2, 9, 0, 0);

/** Clean SYN-BTC deliveries, 50 a second, from `start` for `durationMs` (later tests' own trades). */
function btcEmissions(seed: number, start: number, durationMs: number): Emission[] {
  const g = new TradeGenerator({
    seed,
    symbols: [{ symbol: "SYN-BTC", assetClass: "crypto" }],
    ratePerSecond: 50,
    start,
    durationMs,
  });
  const out: Emission[] = [];
  for (let e = g.next(); e; e = g.next()) out.push(e);
  return out;
}

describe("candle aggregator on the native servers", () => {
  let env: TradesTestEnv;
  const generator = new TradeGenerator({
    seed: 21,
    symbols: [
      { symbol: "SYN-BTC", assetClass: "crypto" },
      { symbol: "SYN-ETH", assetClass: "crypto" },
      { symbol: "SYN-SOL", assetClass: "crypto" },
      { symbol: "SYN-AAPL", assetClass: "equity" },
    ],
    ratePerSecond: 300,
    start: T0,
    durationMs: 200_000,
    chaos: { late: 0.01, outOfOrder: 0.05, duplicate: 0.02, corrupt: 0.005 },
    allowedLatenessMs: 2_000,
  });
  const emissions: Emission[] = [];
  for (let e = generator.next(); e; e = generator.next()) emissions.push(e);
  const delivered: Trade[] = emissions.flatMap((e) => (e.kind === "trade" ? [{ ...e.trade, ingestTs: e.at }] : []));
  const plain = plainCandles(delivered, [1_000, 10_000, 60_000], 2_000);

  beforeAll(async () => {
    env = await createTradesEnv("candles");
  });
  afterAll(async () => {
    await env?.close();
  });

  it("writes the candles of an independent recomputation and dead-letters what it refuses, with the reason", async () => {
    expect(generator.counts.corrupt).toBeGreaterThan(100);
    expect(plain.late.length).toBeGreaterThan(200);
    await produceEmissions(env.producer, env.topic, emissions);
    const app = await startCandleAggregator(env.config(), testLogger);
    try {
      await waitFor("the window state at the end of every partition", () => stateAtEnd(env), 180_000);
    } finally {
      await app.stop();
    }

    // Closed candles: exactly the recomputation's, OHLCV and trade counts.
    const stored = await candlesCollection(env.mongo.db).find({}).toArray();
    const mine = plainOfDocuments(stored);
    expect(mine).toEqual(plain.closed);
    expect(stored.find((d) => d.symbol === "SYN-AAPL")).toMatchObject({ assetClass: "equity", source: "synthetic" });

    // Dead letters: each corrupt message with the kind it was made for; each late trade as `late`.
    const dead = await readTopic(env.bus, env.deadLetterTopic);
    const byKind = Map.groupBy(dead, (d) => d.headers[DLQ_HEADERS.kind]);
    const corrupt = emissions.flatMap((e) => (e.kind === "corrupt" ? [e] : []));
    const rejected = dead.filter((d) => d.headers[DLQ_HEADERS.kind] !== "late");
    expect(rejected.map((d) => d.value).sort()).toEqual(corrupt.map((c) => c.value).sort());
    for (const c of corrupt) {
      const d = rejected.find((x) => x.value === c.value)!;
      expect(d.headers[DLQ_HEADERS.kind], c.corruption.name).toBe(c.corruption.kind);
      expect(d.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(5);
      expect(d.headers[DLQ_HEADERS.topic]).toBe(env.topic);
    }
    const late = byKind.get("late") ?? [];
    // Late ones beyond the lateness (not re-sends of an applied trade): the recomputation's `late` list.
    const lateIds = late.map((d) => {
      const t = JSON.parse(d.value) as Trade;
      return `${t.symbol}|${t.id}`;
    });
    const plainRefused = [...plain.late, ...plain.duplicates].map((t) => `${t.symbol}|${t.id}`);
    for (const id of lateIds) expect(plainRefused).toContain(id);
    expect(lateIds.length).toBeGreaterThanOrEqual(plain.late.length);
    expect(late[0]!.headers[DLQ_HEADERS.reason]).toMatch(
      /ms behind the symbol's newest trade .* allowed lateness of 2000 ms/,
    );
    // Every chaos-delayed trade within the lateness was applied.
    const appliedIds = new Set(plain.applied.map((t) => `${t.symbol}|${t.id}`));
    const outOfOrder = emissions.filter((e) => e.kind === "trade" && e.chaos === "out-of-order");
    expect(outOfOrder.length).toBeGreaterThan(500);
    for (const e of outOfOrder)
      if (e.kind === "trade") expect(appliedIds.has(`${e.trade.symbol}|${e.trade.id}`)).toBe(true);

    // 1m candles as bars v1 (source trades, canonical ids) on the bar topic.
    const bars = (await readTopic(env.bus, env.barTopic)).map((m) => parseBar(JSON.parse(m.value)) as Bar);
    const minutes = plain.closed.filter((c) => c.width === 60_000);
    expect(bars.map((b) => [b.symbol, Date.parse(b.ts), b.open, b.high, b.low, b.close, b.volume]).sort()).toEqual(
      minutes.map((c) => [c.symbol, c.start, c.open, c.high, c.low, c.close, c.volume]).sort(),
    );
    expect(bars.every((b) => b.source === "trades" && b.interval === "1m" && !b.partial)).toBe(true);
    expect(bars.find((b) => b.symbol === "SYN-BTC")?.id).toMatch(/^SYN-BTC\|1m\|2024-01-02T09:0\d:00Z$/);

    // Forming candles: one document per symbol, per width the newest open window, finest first.
    const forming = await formingCandlesCollection(env.mongo.db).find({}).toArray();
    expect(forming.map((f) => f._id).sort()).toEqual(["SYN-AAPL", "SYN-BTC", "SYN-ETH", "SYN-SOL"]);
    for (const f of forming) {
      expect(f.candles.map((c) => c.width)).toEqual(["1s", "10s", "1m"]);
      const newest = Math.max(...plain.applied.filter((t) => t.symbol === f.symbol).map((t) => t.ts));
      for (const c of f.candles) {
        const w = parseWidth(c.width).ms;
        expect(c.ts.getTime(), `${f._id} ${c.width}`).toBe(newest - (newest % w));
        expect(c.end.getTime()).toBe(c.ts.getTime() + w);
      }
    }
  });

  it("a new consumer group over the saved states (expired group offsets) replays nothing twice", async () => {
    // The first test left every partition's state at its end; a group without offsets starts from the beginning.
    const deadBefore = (await readTopic(env.bus, env.deadLetterTopic)).length;
    const candlesBefore = await snapshotCandles(env.mongo);
    const counts = { messages: 0, replayed: 0 };
    // Small fetches: the replay comes as many batches, each wholly before the saved states.
    const app = await startCandleAggregator(env.config({ TRADES_MAX_BYTES_PER_PARTITION: 16_384 }), testLogger, {
      onBatch: (s) => {
        counts.messages += s.messages;
        counts.replayed += s.replayed;
      },
    });
    try {
      await waitFor("the replay seen", async () => counts.replayed > 0, 60_000);
      // Then new trades, clean and in time: applied after the states, none of them refused.
      const tail = btcEmissions(22, T0 + 210_000, 20_000);
      await produceEmissions(env.producer, env.topic, tail);
      await waitFor("the window states at the new end", () => stateAtEnd(env), 120_000);
      expect(counts.messages).toBe(tail.length);
    } finally {
      await app.stop();
    }
    expect((await readTopic(env.bus, env.deadLetterTopic)).length).toBe(deadBefore);
    const candlesAfter = await snapshotCandles(env.mongo);
    for (const [id, doc] of candlesBefore) expect(candlesAfter.get(id), id).toEqual(doc);
    expect(candlesAfter.size).toBeGreaterThan(candlesBefore.size);
  });

  it("valid trades keyed by another symbol (another partition) are dead letters `key`, and change no candle", async () => {
    // Which partition each symbol's key went to, from the first test's messages.
    const partitionOf = new Map((await readTopic(env.bus, env.topic)).map((m) => [m.key, m.partition]));
    const stranger = ["SYN-ETH", "SYN-SOL", "SYN-AAPL"].find((k) => partitionOf.get(k) !== partitionOf.get("SYN-BTC"));
    expect(stranger, "a symbol in another partition than SYN-BTC's").toBeDefined();
    const deadBefore = (await readTopic(env.bus, env.deadLetterTopic)).length;
    const trades: Trade[] = btcEmissions(23, T0 + 300_000, 130_000).flatMap((e) =>
      e.kind === "trade" ? [{ ...e.trade, ingestTs: e.at }] : [],
    );
    // A bad producer's SYN-BTC trades keyed as another symbol: one at ten times the price inside the stream's first
    // minute, one 70 s later, which (in that partition, were it applied) would close the first one's windows.
    const base = trades[100]!;
    const forged: Trade[] = [
      { ...base, id: "forged-1", price: base.price * 10 },
      { ...base, id: "forged-2", ts: base.ts + 70_000, ingestTs: base.ingestTs + 70_000 },
    ];
    const app = await startCandleAggregator(env.config(), testLogger);
    try {
      // The real candles first, then the forged trades: were these applied, their candles would replace the real ones.
      await env.producer.send(
        env.topic,
        trades.map((t) => ({ key: t.symbol, value: JSON.stringify(t) })),
      );
      await waitFor("the window states at the end of the real trades", () => stateAtEnd(env), 120_000);
      await env.producer.send(
        env.topic,
        forged.map((t) => ({ key: stranger!, value: JSON.stringify(t) })),
      );
      await waitFor("the window states at the end of the forged ones", () => stateAtEnd(env), 120_000);
    } finally {
      await app.stop();
    }
    const dead = (await readTopic(env.bus, env.deadLetterTopic)).slice(deadBefore);
    expect(dead.map((d) => [d.headers[DLQ_HEADERS.kind], d.value])).toEqual(
      forged.map((t) => ["key", JSON.stringify(t)]),
    );
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toContain(
      `message key "${stranger}" is not the trade's symbol "SYN-BTC"`,
    );
    // SYN-BTC's closed candles of the new range are those of its clean trades alone.
    const plainNew = plainCandles(trades, [1_000, 10_000, 60_000], 2_000).closed;
    const stored = plainOfDocuments(
      await candlesCollection(env.mongo.db)
        .find({ symbol: "SYN-BTC", ts: { $gte: new Date(T0 + 300_000) } })
        .toArray(),
    );
    expect(stored.length).toBeGreaterThan(100);
    expect(stored).toEqual(plainNew);
    expect(Math.max(...stored.map((c) => c.high))).toBeLessThan(forged[0]!.price);
  });
});
