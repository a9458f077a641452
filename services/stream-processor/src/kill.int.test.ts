// (b) The processor as a child process, SIGKILLed three times mid-run and restarted, ends with exactly the
// documents of an uninterrupted run; a final SIGTERM stops it cleanly with exit code 0.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { connectMongo, type MongoHandle } from "@quant/core";
import { testConfig, testLogger, uniqueName } from "@quant/core/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStreamProcessor } from "./run.ts";
import {
  configEnv,
  countBars,
  createTestEnv,
  produceBars,
  snapshotBars,
  type TestEnv,
  waitFor,
} from "./test-support.ts";

const MAIN = resolve(import.meta.dirname, "main.ts");

function startChild(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  log: string[];
} {
  const log: string[] = [];
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => log.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code, signal) => r(code ?? (signal ? -1 : null))));
  return { child, exited, log };
}

describe("stream processor: SIGKILL x3 and restart", () => {
  let env: TestEnv;
  let reference: MongoHandle;
  const referenceDb = uniqueName("stream_b_ref");
  beforeAll(async () => {
    env = await createTestEnv("stream_b", 3);
    reference = await connectMongo({ uri: testConfig().MONGODB_URI, dbName: referenceDb }, testLogger);
  });
  afterAll(async () => {
    await reference?.db.dropDatabase().catch(() => {});
    await reference?.close();
    await env?.close();
  });

  it("gives MongoDB contents identical to an uninterrupted run", { timeout: 240_000 }, async () => {
    const market = new SyntheticMarket({ seed: 11 });
    const bars = ["AAPL", "MSFT", "JPM"].flatMap((s) => market.bars(s, "equity", "1d", "2022-01-01", "2023-12-31"));
    // Small record batches and fetches: hundreds of consumer batches, so the kills land between and inside
    // write/checkpoint/commit rather than after the end.
    await produceBars(env.producer, env.topic, bars, 25);
    const overrides = { STREAM_MAX_BYTES_PER_PARTITION: 8_192 };

    // Uninterrupted reference run, in-process, into its own database.
    const ref = await startStreamProcessor(env.config({ ...overrides, MONGODB_DB: referenceDb }), testLogger);
    await waitFor("reference run", async () => (await countBars(reference)) === bars.length, 120_000);
    await ref.stop();

    const childEnv = configEnv(env.config({ ...overrides, LOG_LEVEL: "info" }));
    const kills: number[] = [];
    for (const share of [0.15, 0.3, 0.45]) {
      const run = startChild(childEnv);
      // Polled often: on an idle machine the child writes the rest within a few hundred milliseconds.
      await waitFor(
        `${share * 100}% written`,
        async () => (await countBars(env.mongo)) >= bars.length * share,
        120_000,
        20,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n${run.log.join("").slice(-2_000)}`);
      });
      run.child.kill("SIGKILL");
      await run.exited;
      kills.push(await countBars(env.mongo));
    }
    expect(kills.every((n) => n < bars.length)).toBe(true);

    const last = startChild(childEnv);
    await waitFor(
      "all written after restarts",
      async () => (await countBars(env.mongo)) === bars.length,
      120_000,
    ).catch(async (err) => {
      throw new Error(
        `${(err as Error).message} (${await countBars(env.mongo)}/${bars.length})\n${last.log.join("").slice(-3_000)}`,
      );
    });
    // Give the last batches time to commit, then stop it the polite way.
    await new Promise((r) => setTimeout(r, 1_000));
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);

    const interrupted = await snapshotBars(env.mongo);
    const uninterrupted = await snapshotBars(reference);
    expect(interrupted.size).toBe(uninterrupted.size);
    for (const [id, doc] of uninterrupted) expect(interrupted.get(id), id).toEqual(doc);
    expect(await env.mongo.db.collection("indicator_state").countDocuments({ dirtyFrom: null })).toBe(3);
  });
});
