// (b) The processor as a child process, SIGKILLed three times mid-run and restarted, ends with exactly the
// documents of an uninterrupted run (bar documents with their quality flags, rollup documents for a rollup source,
// and the quality rows); a final SIGTERM stops it cleanly with exit code 0. Restarts rebuild series without a usable
// checkpoint from MongoDB history.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { type Bar, connectMongo, type MongoHandle, qualityCollection } from "@quant/core";
import {
  countBars,
  countRollups,
  produceBars,
  snapshotBars,
  testConfig,
  testLogger,
  uniqueName,
  waitFor,
} from "@quant/core/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStreamProcessor } from "./run.ts";
import { configEnv, createTestEnv, type TestEnv } from "./test-support.ts";

const MAIN = resolve(import.meta.dirname, "main.ts");
/** Children not yet exited: a failed test must not leave a processor running. */
const running = new Set<ChildProcess>();

function startChild(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  log: string[];
  /** Batches the child has committed so far (its "batch written" log lines, LOG_LEVEL info). */
  batches(): number;
} {
  const log: string[] = [];
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => log.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => log.push(d.toString()));
  running.add(child);
  const exited = new Promise<number | null>((r) =>
    child.on("exit", (code, signal) => {
      running.delete(child);
      r(code ?? (signal ? -1 : null));
    }),
  );
  const batches = () =>
    log
      .join("")
      .split("\n")
      .filter((l) => l.includes('"msg":"batch written"')).length;
  return { child, exited, log, batches };
}

interface KillScenario {
  /** Test-environment name (topic, database and group prefixes). */
  name: string;
  bars: readonly Bar[];
  /** (symbol, interval) series, each with one checkpoint at the end. */
  series: number;
  /** Checkpoints every this many ms (0: after every batch), so that they lag the commits when > 0. */
  checkpointIntervalMs: number;
}

/**
 * Runs the scenario's bars once uninterrupted (in-process, into a reference database) and once through child
 * processes SIGKILLed three times and restarted; the databases must be equal.
 */
function describeKillRun(title: string, scenario: KillScenario): void {
  describe(title, () => {
    let env: TestEnv;
    let reference: MongoHandle;
    const referenceDb = uniqueName(`${scenario.name}_ref`);
    beforeAll(async () => {
      env = await createTestEnv(scenario.name, 3);
      reference = await connectMongo({ uri: testConfig().MONGODB_URI, dbName: referenceDb }, testLogger);
    });
    afterAll(async () => {
      for (const child of running) child.kill("SIGKILL");
      await reference?.db.dropDatabase().catch(() => {});
      await reference?.close();
      await env?.close();
    });

    it("gives MongoDB contents identical to an uninterrupted run", { timeout: 240_000 }, async () => {
      const { bars } = scenario;
      // Small record batches and fetches: hundreds of consumer batches, so the kills land between and inside
      // write/checkpoint/commit rather than after the end.
      await produceBars(env.producer, env.topic, bars, 25);
      const overrides = {
        STREAM_MAX_BYTES_PER_PARTITION: 8_192,
        STREAM_CHECKPOINT_INTERVAL_MS: scenario.checkpointIntervalMs,
      };

      // Uninterrupted reference run, in-process, into its own database; stop() lets the last batch (and its
      // rollups) finish.
      const ref = await startStreamProcessor(env.config({ ...overrides, MONGODB_DB: referenceDb }), testLogger);
      await waitFor("reference run", async () => (await countBars(reference)) === bars.length, 120_000);
      await ref.stop();
      const rollups = await countRollups(reference);

      const childEnv = configEnv(env.config({ ...overrides, LOG_LEVEL: "info" }));
      const kills: number[] = [];
      const restartLogs: string[] = [];
      for (const kill of [1, 2, 3]) {
        const run = startChild(childEnv);
        // Killed right after its third committed batch, i.e. somewhere in the next one (fetch, write, checkpoint or
        // commit): the child's log says so at once, where polling MongoDB lags by hundreds of bars on a busy machine.
        await waitFor(`kill ${kill}: three batches committed`, async () => run.batches() >= 3, 120_000, 5).catch(
          (err) => {
            throw new Error(`${(err as Error).message}\n${run.log.join("").slice(-2_000)}`);
          },
        );
        run.child.kill("SIGKILL");
        await run.exited;
        if (kill > 1) restartLogs.push(...run.log);
        kills.push(await countBars(env.mongo));
      }
      expect(Math.max(...kills)).toBeLessThan(bars.length);
      // With lagging checkpoints, every kill leaves documents past them: the restarts rebuild those series.
      if (scenario.checkpointIntervalMs > 0)
        expect(restartLogs.join("")).toContain('"reason":"documents past the checkpoint"');

      const last = startChild(childEnv);
      const written = async () =>
        `${await countBars(env.mongo)}/${bars.length} bars, ${await countRollups(env.mongo)}/${rollups} rollups`;
      await waitFor(
        "all written after restarts",
        async () => (await countBars(env.mongo)) === bars.length && (await countRollups(env.mongo)) === rollups,
        120_000,
      ).catch(async (err) => {
        throw new Error(`${(err as Error).message} (${await written()})\n${last.log.join("").slice(-3_000)}`);
      });
      // Give the last batches time to commit, then stop it the polite way.
      await new Promise((r) => setTimeout(r, 1_000));
      last.child.kill("SIGTERM");
      expect(await last.exited).toBe(0);

      const interrupted = await snapshotBars(env.mongo);
      const uninterrupted = await snapshotBars(reference);
      expect(interrupted.size).toBe(uninterrupted.size);
      for (const [id, doc] of uninterrupted) expect(interrupted.get(id), id).toEqual(doc);
      // The quality rows too (written with the checkpoints, rewritten by the rebuilds), but for when they were computed.
      const rowsOf = async (m: MongoHandle) =>
        (await qualityCollection(m.db).find().sort({ _id: 1 }).toArray()).map(({ processedTs: _, ...r }) => r);
      const rows = await rowsOf(reference);
      expect(rows.length).toBeGreaterThan(0);
      expect(await rowsOf(env.mongo)).toEqual(rows);
      expect(await env.mongo.db.collection("indicator_state").countDocuments({ dirtyFrom: null })).toBe(
        scenario.series,
      );
    });
  });
}

const market = new SyntheticMarket({ seed: 11 });

describeKillRun("stream processor: SIGKILL x3 and restart, daily bars", {
  name: "stream_b",
  bars: ["AAPL", "MSFT", "JPM"].flatMap((s) => market.bars(s, "equity", "1d", "2020-01-01", "2023-12-31")),
  series: 3,
  checkpointIntervalMs: 0,
});

// Rollup sources: 1m crypto (→ 5m/1h/1d) and 5m equity (→ 1h/1d) bars; bars_rollup must match too.
describeKillRun("stream processor: SIGKILL x3 and restart, intraday bars with rollups", {
  name: "stream_c",
  bars: [
    ...market.bars("BTC-USD", "crypto", "1m", "2024-01-01", "2024-01-02"),
    ...market.bars("AAPL", "equity", "5m", "2024-01-02", "2024-01-16"),
  ],
  series: 2,
  // Checkpoints lag the commits (as in production, longer): within a child's life only its first batch saves them,
  // so every kill leaves documents past them and the restart rebuilds.
  checkpointIntervalMs: 60_000,
});
