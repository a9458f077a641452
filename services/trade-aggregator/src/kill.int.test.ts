// The candle aggregator as a child process, SIGKILLed three times mid-stream and restarted, ends with exactly the
// candles of an uninterrupted run, the same bars (repeats after a crash carry the same content) and the same dead
// letters; a final SIGTERM stops it cleanly with exit code 0. Restarts resume from the saved window states.
import { resolve } from "node:path";
import { candleStateCollection, connectMongo, DLQ_HEADERS, type MongoHandle } from "@quant/core";
import { type ChildScript, spawnNodeScript, testConfig, testLogger, uniqueName, waitFor } from "@quant/core/testing";
import { type Emission, TradeGenerator } from "@quant/trades";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCandleAggregator } from "./run.ts";
import {
  aggregatorConfigEnv,
  createTradesEnv,
  produceEmissions,
  type ReadMessage,
  readTopic,
  snapshotCandles,
  stateAtEnd,
  type TradesTestEnv,
} from "./test-support.ts";

const MAIN = resolve(import.meta.dirname, "main.ts");
const running = new Set<ChildScript>();

function startChild(env: Record<string, string>) {
  const run = spawnNodeScript(MAIN, { ...process.env, ...env });
  running.add(run);
  void run.exited.then(() => running.delete(run));
  const count = (msg: string) =>
    run
      .output()
      .split("\n")
      .filter((l) => l.includes(`"msg":"${msg}"`)).length;
  return { ...run, count };
}

/** Bar messages by id: every copy of an id must carry the same value. */
function barsById(messages: ReadMessage[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of messages) {
    const id = m.headers.id!;
    const seen = out.get(id);
    if (seen !== undefined) expect(m.value, `re-sent bar ${id}`).toBe(seen);
    out.set(id, m.value);
  }
  return out;
}

const deadLetterKeys = (messages: ReadMessage[]) =>
  new Set(
    messages.map(
      (m) => `${m.headers[DLQ_HEADERS.partition]}:${m.headers[DLQ_HEADERS.offset]}:${m.headers[DLQ_HEADERS.kind]}`,
    ),
  );

describe("candle aggregator: SIGKILL x3 mid-stream and restart", () => {
  let env: TradesTestEnv;
  let reference: MongoHandle;
  const referenceDb = uniqueName("kill_ref");
  const refBars = uniqueName("kill_ref_bars");
  const refDead = uniqueName("kill_ref_dlq");
  const generator = new TradeGenerator({
    seed: 5,
    symbols: ["SYN-BTC", "SYN-ETH", "SYN-SOL", "SYN-ADA", "SYN-XRP"].map((symbol) => ({
      symbol,
      assetClass: "crypto",
    })),
    ratePerSecond: 400,
    start: Date.UTC(2024, 0, 3, 12, 0, 0),
    durationMs: 240_000,
    chaos: { late: 0.005, outOfOrder: 0.03, duplicate: 0.02, corrupt: 0.002 },
  });
  const emissions: Emission[] = [];
  for (let e = generator.next(); e; e = generator.next()) emissions.push(e);

  beforeAll(async () => {
    env = await createTradesEnv("kill", [refBars, refDead]);
    reference = await connectMongo({ uri: testConfig().MONGODB_URI, dbName: referenceDb }, testLogger);
  });
  afterAll(async () => {
    for (const run of running) run.child.kill("SIGKILL");
    await reference?.db.dropDatabase().catch(() => {});
    await reference?.close();
    await env?.close();
  });

  it("ends with the candles, bars and dead letters of an uninterrupted run", { timeout: 420_000 }, async () => {
    await produceEmissions(env.producer, env.topic, emissions, 100);
    // Small fetches (a few hundred trades per batch) and frequent state saves: the kills land between a batch's
    // outputs and its state, and between a state and its commit, not only after the end.
    const overrides = {
      TRADES_MAX_BYTES_PER_PARTITION: 16_384,
      TRADES_CHECKPOINT_INTERVAL_MS: 300,
      TRADES_SESSION_TIMEOUT_MS: 6_000,
    };

    const ref = await startCandleAggregator(
      env.config({
        ...overrides,
        MONGODB_DB: referenceDb,
        TRADES_BAR_TOPIC: refBars,
        TRADES_DEAD_LETTER_TOPIC: refDead,
      }),
      testLogger,
    );
    const refEnv = { ...env, mongo: reference };
    await waitFor("reference run", () => stateAtEnd(refEnv), 180_000);
    await ref.stop();

    const childEnv = aggregatorConfigEnv(env.config({ ...overrides, LOG_LEVEL: "debug" }));
    const loaded: string[] = [];
    // Each run counts its own batches from its restart, and is killed once it has saved at least one window state
    // (so that each restart resumes from one), not every partition's: a restart meets partitions with a state saved
    // by this run, by an earlier one or none, and group offsets behind their states.
    for (const [kill, afterBatches] of [
      [1, 30],
      [2, 45],
      [3, 60],
    ] as const) {
      const started = new Date();
      const run = startChild(childEnv);
      await waitFor(
        `kill ${kill}: ${afterBatches} batches`,
        async () => run.count("batch") >= afterBatches,
        180_000,
        5,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n${run.output().slice(-2_000)}`);
      });
      await waitFor(
        `kill ${kill}: a window state saved`,
        async () => (await candleStateCollection(env.mongo.db).countDocuments({ updatedAt: { $gt: started } })) > 0,
        60_000,
        20,
      );
      run.child.kill("SIGKILL");
      await run.exited;
      if (kill > 1) loaded.push(run.output());
    }
    expect(await stateAtEnd(env)).toBe(false);
    // The restarts resumed from saved states, not from scratch.
    expect(loaded.join("")).toMatch(/"nextOffset":"\d+".*"msg":"window state loaded"/);

    const last = startChild(childEnv);
    await waitFor("the restarted aggregator at the end of every partition", () => stateAtEnd(env), 180_000).catch(
      (err) => {
        throw new Error(`${(err as Error).message}\n${last.output().slice(-3_000)}`);
      },
    );
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);

    const interrupted = await snapshotCandles(env.mongo);
    const uninterrupted = await snapshotCandles(reference);
    expect(uninterrupted.size).toBeGreaterThan(1_000);
    expect(interrupted.size).toBe(uninterrupted.size);
    for (const [id, doc] of uninterrupted) expect(interrupted.get(id), id).toEqual(doc);

    const bars = barsById(await readTopic(env.bus, env.barTopic));
    const refBarsById = barsById(await readTopic(env.bus, refBars));
    expect(bars.size).toBe(refBarsById.size);
    for (const [id, value] of refBarsById) expect(JSON.parse(bars.get(id) ?? "null"), id).toEqual(JSON.parse(value));

    expect(deadLetterKeys(await readTopic(env.bus, env.deadLetterTopic))).toEqual(
      deadLetterKeys(await readTopic(env.bus, refDead)),
    );
  });
});
