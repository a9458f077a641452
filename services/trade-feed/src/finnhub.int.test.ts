// A played Finnhub stream through the whole trade path on the native servers: a local WebSocket server plays
// trade frames in Finnhub's format (with pings, a dropped connection the source must reconnect and resubscribe
// after, and a print Finnhub's schema allows but ours refuses); the Finnhub source produces trade messages v1; the
// candle aggregator, run as its own program, writes candles equal to an independent recomputation of the played
// prints, and dead-letters the refused print with its reason.
import { resolve } from "node:path";
import { candleStateCollection, candlesCollection, createLogger, DLQ_HEADERS, type Trade } from "@quant/core";
import {
  type ChildScript,
  createPipelineTestEnv,
  type PipelineTestEnv,
  spawnNodeScript,
  testConfig,
  uniqueName,
  waitFor,
} from "@quant/core/testing";
import { plainCandles, plainOfDocuments } from "@quant/trades/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FinnhubPlayer, startFinnhubPlayer } from "./finnhub/player.ts";
import { startFinnhubSource } from "./finnhub/source.ts";
import { TradeSender } from "./sender.ts";

const AGGREGATOR_MAIN = resolve(import.meta.dirname, "../../trade-aggregator/src/main.ts");
const SYMBOLS = ["AAPL", "BINANCE:BTCUSDT", "BINANCE:ETHUSDT"];

interface Print {
  s: string;
  p: number;
  t: number;
  v: number;
  c?: string[];
}

/** Six minutes of prints ending two minutes ago, a few per frame, slightly out of order now and then. */
function playedPrints(): Print[][] {
  const end = Date.now() - 120_000;
  const start = end - 6 * 60_000;
  const frames: Print[][] = [];
  let price = [190, 42_000, 2_300];
  for (let t = start, k = 0; t < end; t += 97, k++) {
    const i = k % SYMBOLS.length;
    price = price.map((p, j) => (j === i ? Math.round(p * (1 + ((k % 7) - 3) / 10_000) * 100) / 100 : p));
    const print: Print = {
      s: SYMBOLS[i]!,
      p: price[i]!,
      t: k % 50 === 49 ? t - 800 : t,
      v: i === 0 ? 100 + (k % 9) : 0.01 * (1 + (k % 5)),
    };
    if (k % 11 === 0) print.c = ["1", "12"];
    if (k % 4 === 0 || frames.length === 0) frames.push([]);
    frames[frames.length - 1]!.push(print);
  }
  return frames;
}

describe("Finnhub stream -> trades topic -> candle aggregator", () => {
  let env: PipelineTestEnv;
  let player: FinnhubPlayer;
  let aggregator: ChildScript | undefined;
  const frames = playedPrints();
  // One print with a zero volume: Finnhub sends such; trade v1 refuses it (size > 0).
  const zero: Print = { s: "AAPL", p: 190, t: frames[10]![0]!.t + 1, v: 0 };
  frames[10]!.push(zero);
  const half = Math.floor(frames.length / 2);

  beforeAll(async () => {
    env = await createPipelineTestEnv("finnhub", 3);
    // Connection 0 plays the first half and drops; connection 1 (after a reconnect and resubscription) the rest.
    player = await startFinnhubPlayer({
      waitFor: SYMBOLS.length,
      frames: (c) =>
        (c === 0 ? frames.slice(0, half) : c === 1 ? frames.slice(half) : []).flatMap((f, i) => [
          JSON.stringify({ type: "trade", data: f }),
          ...(i % 25 === 0 ? ['{"type":"ping"}'] : []),
        ]),
      after: (c) => (c === 0 ? "close" : "open"),
    });
  });
  afterAll(async () => {
    aggregator?.child.kill("SIGKILL");
    await player?.close();
    await env?.close();
  });

  it("gives the candles of an independent recomputation, and dead-letters the print our schema refuses", async () => {
    const cfg = testConfig();
    const producer = await env.bus.producer({ idempotent: true, compression: "none" });
    const sender = new TradeSender(producer, env.topic, { lingerMs: 5, maxBatch: 500 });
    const source = startFinnhubSource(
      {
        url: player.url,
        apiKey: "test-key-123",
        symbols: SYMBOLS,
        reconnectMinMs: 50,
        reconnectMaxMs: 500,
        staleMs: 30_000,
      },
      { sender, producer, deadLetterTopic: env.deadLetterTopic, logger: createLogger("finnhub-test", "silent") },
    );
    const printed = frames.reduce((n, f) => n + f.length, 0);
    try {
      await waitFor("every played print produced", async () => sender.sent === printed, 120_000);
    } finally {
      await source.stop();
    }
    expect(player.connections.map((c) => c.subscribed)).toEqual([SYMBOLS, SYMBOLS]);
    expect(source.stats).toMatchObject({ trades: printed, deadLetters: 0 });
    expect(source.stats.pings).toBeGreaterThan(0);

    const group = uniqueName("finnhub_candles");
    aggregator = spawnNodeScript(AGGREGATOR_MAIN, {
      ...process.env,
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: cfg.KAFKA_BROKERS.join(","),
      MONGODB_URI: cfg.MONGODB_URI,
      MONGODB_DB: env.dbName,
      TRADES_TOPIC: env.topic,
      TRADES_GROUP_ID: group,
      TRADES_DEAD_LETTER_TOPIC: env.deadLetterTopic,
      TRADES_BAR_TOPIC: env.deadLetterTopic,
      TRADES_CHECKPOINT_INTERVAL_MS: "500",
    });
    const ends = (await env.bus.topicOffsets(env.topic)).filter((p) => p.high > 0);
    await waitFor(
      "the aggregator's state at the end of the topic",
      async () => {
        const states = await candleStateCollection(env.mongo.db).find({ topic: env.topic }).toArray();
        return ends.every((p) => states.find((s) => s.partition === p.partition)?.nextOffset === String(p.high));
      },
      180_000,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${aggregator!.output().slice(-2_000)}`);
    });
    aggregator.child.kill("SIGTERM");
    expect(await aggregator.exited).toBe(0);

    // The independent recomputation: the played prints in played order, the one refused print left out.
    const played: Trade[] = frames.flat().flatMap((p, k) =>
      p === zero
        ? []
        : [
            {
              v: 1,
              symbol: p.s,
              assetClass: p.s.includes(":") ? "crypto" : "equity",
              exchange: "X",
              currency: "X",
              ts: p.t,
              ingestTs: p.t,
              price: p.p,
              size: p.v,
              id: String(k),
              conditions: p.c ?? [],
              source: "finnhub",
            } satisfies Trade,
          ],
    );
    const plain = plainCandles(played, [1_000, 10_000, 60_000], 2_000);
    expect(plain.late).toEqual([]);
    const stored = plainOfDocuments(await candlesCollection(env.mongo.db).find({}).toArray());
    expect(stored.length).toBeGreaterThan(1_000);
    expect(stored).toEqual(plain.closed);
    const btc = await candlesCollection(env.mongo.db).findOne({ symbol: "BINANCE:BTCUSDT", width: "1m" });
    expect(btc).toMatchObject({ assetClass: "crypto", exchange: "BINANCE", currency: "USDT", source: "finnhub" });

    // The zero-volume print: a dead letter of kind schema naming the size, its message unchanged.
    const dead = await readDeadLetters(env);
    const refused = dead.filter((d) => d.headers[DLQ_HEADERS.kind] === "schema");
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0]!.value)).toMatchObject({ symbol: "AAPL", ts: zero.t, size: 0, source: "finnhub" });
    expect(refused[0]!.headers[DLQ_HEADERS.reason]).toMatch(/size: expected a number > 0/);
  });
});

/** The dead-letter topic's messages (bars of the aggregator went there too: only dead letters carry dlq.kind). */
async function readDeadLetters(env: PipelineTestEnv): Promise<{ value: string; headers: Record<string, string> }[]> {
  const ends = await env.bus.topicOffsets(env.deadLetterTopic);
  const total = ends.reduce((n, p) => n + p.high - p.low, 0);
  const out: { value: string; headers: Record<string, string> }[] = [];
  const consumer = await env.bus.consumer({ groupId: uniqueName("dlq_reader") });
  await consumer.subscribe([env.deadLetterTopic]);
  await consumer.runBatches(async (batch, control) => {
    for (const m of batch.messages) {
      out.push({ value: m.value?.toString("utf8") ?? "", headers: m.headers });
      control.resolveOffset(m.offset);
    }
  });
  try {
    await waitFor("the dead-letter topic read", async () => out.length >= total, 60_000);
  } finally {
    await consumer.stop();
    await consumer.disconnect();
  }
  return out.filter((m) => m.headers[DLQ_HEADERS.kind] !== undefined);
}
