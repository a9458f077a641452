// Data quality end to end: a recorded AAPL session (1-minute bars, with the one bar Yahoo left out at 15:15) with
// injected faults — forty bars cut, a fat-fingered print, a stale stretch, a zero-volume bar, a partial bar never
// completed, conflicting re-sends (one right away; two late ones of one bar, merged in one recompute) — goes through
// Kafka to a live stream processor
// (restarted halfway, so the checks resume from their checkpoint) and into the lake. Exactly those bars are flagged;
// reconcile (the batch computation from the lake) finds no difference in documents, flags or quality rows; a batch
// run changes nothing; `pnpm quality` counts what was injected; the stream's metrics count the flags.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import {
  type Bar,
  barsCollection,
  dateInZone,
  isoUtc,
  makeBar,
  type ObjectStore,
  qualityCollection,
  summarizeQualityRows,
} from "@quant/core";
import {
  type ChildScript,
  createPipelineTestEnv,
  type PipelineTestEnv,
  produceBars,
  runNodeScript,
  testConfig,
  testLogger,
  waitFor,
} from "@quant/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBatch } from "./batch.ts";
import { runReconcile } from "./reconcile.ts";
import { createTestLake, rangeRequest, startStreamProcess, writeLake } from "./test-support.ts";

const REPO = resolve(import.meta.dirname, "../../..");
const FIXTURES = process.env.YAHOO_FIXTURES_DIR ?? resolve(REPO, "../shared/fixtures/yahoo");
const RECORDING = "legacy-tests-http/chart-AAPL-2024-10-02-to-2024-10-03-includePrePost-false-interval-1m.json";

/** The recorded session's bars (2024-10-02, regular hours), as the scraper's replay source would deliver them. */
function recordedSession(): Bar[] {
  const file = JSON.parse(readFileSync(resolve(FIXTURES, RECORDING), "utf8")) as { response: { body: string } };
  const result = JSON.parse(file.response.body).chart.result[0];
  const q = result.indicators.quote[0];
  const bars: Bar[] = [];
  result.timestamp.forEach((t: number, i: number) => {
    if (q.close[i] === null || !dateInZone(t * 1000, "America/New_York").startsWith("2024-10-02")) return;
    bars.push(
      makeBar({
        symbol: "AAPL",
        assetClass: "equity",
        interval: "1m",
        ts: isoUtc(t * 1000),
        tradingDate: "2024-10-02",
        open: q.open[i],
        high: q.high[i],
        low: q.low[i],
        close: q.close[i],
        volume: q.volume[i],
        currency: result.meta.currency,
        exchange: result.meta.exchangeName,
        source: "replay",
        ingestTs: "2024-10-02T20:00:00Z",
      }),
    );
  });
  return bars;
}

const at = (hhmm: string) => `AAPL|1m|2024-10-02T${hhmm}:00Z`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** The child's /metrics once `ready` holds for them (its batches record their metrics as they commit). */
async function metricsWhen(port: number, run: ChildScript, ready: (text: string) => boolean): Promise<string> {
  let text = "";
  await waitFor("stream metrics", async () => {
    text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => r.text(),
      () => "",
    );
    return ready(text);
  }).catch((err) => {
    throw new Error(`${(err as Error).message}\n${text.slice(-1_000)}\n${run.output().slice(-2_000)}`);
  });
  return text;
}

async function stop(run: ChildScript): Promise<void> {
  run.child.kill("SIGTERM");
  expect(await run.exited, run.output().slice(-2_000)).toBe(0);
}

describe("quality checks, stream and batch", () => {
  const cfg = testConfig();
  let env: PipelineTestEnv;
  let lake: Awaited<ReturnType<typeof createTestLake>>;
  let store: ObjectStore;
  const session = recordedSession();
  const byId = new Map(session.map((b) => [b.id, b]));
  const bar = (hhmm: string) => byId.get(at(hhmm))!;
  const with_ = (hhmm: string, change: Partial<Bar>): Bar => ({ ...bar(hhmm), ...change });

  // The faults, by bar open time (UTC; the session runs 13:30-20:00).
  const cut = new Set(
    session.filter((b) => b.ts >= "2024-10-02T16:30:00Z" && b.ts < "2024-10-02T17:10:00Z").map((b) => b.id),
  );
  const fat = bar("18:00");
  const frozen = bar("18:40").close;
  const injected = new Map<string, Bar>([
    [fat.id, with_("18:00", { close: fat.close * 1.3, high: fat.close * 1.3 })],
    ...["18:41", "18:42", "18:43", "18:44", "18:45", "18:46"].map(
      (t) => [at(t), with_(t, { open: frozen, high: frozen, low: frozen, close: frozen })] as const,
    ),
    [at("19:10"), with_("19:10", { volume: 0 })],
    // Forming when scraped, and the final version never came.
    [at("19:30"), with_("19:30", { partial: true, close: bar("19:30").open })],
  ]);
  const bars = session.filter((b) => !cut.has(b.id)).map((b) => injected.get(b.id) ?? b);
  // Re-sent with other content: right after the original (the last bar), and at the very end twice (late bars, one
  // run of the series: two conflicting versions counted in one recompute).
  const resentNow = with_("18:20", { volume: bar("18:20").volume + 100, ingestTs: "2024-10-02T21:00:00Z" });
  const lateVersion = (cents: number) =>
    with_("14:20", {
      close: bar("14:20").close + cents / 100,
      high: Math.max(bar("14:20").high, bar("14:20").close + cents / 100),
      ingestTs: "2024-10-02T21:00:00Z",
    });
  const resentLate = lateVersion(2);
  const stream = bars.flatMap((b) => (b.id === resentNow.id ? [b, resentNow] : [b]));
  stream.push(lateVersion(1), resentLate);
  const expected: Record<string, string[]> = {
    [at("15:16")]: ["gap"], // Yahoo's own missing bar at 15:15
    [at("17:10")]: ["gap"], // the forty bars cut
    [at("18:00")]: ["return_outlier", "range_outlier"],
    [at("18:20")]: ["conflict"],
    [at("14:20")]: ["conflict"],
    // The close of 18:40 repeated from 18:41: the run reaches five bars at 18:44.
    [at("18:44")]: ["stale"],
    [at("18:45")]: ["stale"],
    [at("18:46")]: ["stale"],
    [at("19:10")]: ["zero_volume"],
    [at("19:30")]: ["incomplete"],
  };
  const all = rangeRequest("2024-10-02", "2024-10-02", {
    assetClasses: ["equity"],
    symbols: ["AAPL"],
    intervals: ["1m"],
  });

  beforeAll(async () => {
    env = await createPipelineTestEnv("quality");
    lake = await createTestLake("quality");
    store = lake.store;
  });
  afterAll(async () => {
    await lake?.remove();
    await env?.close();
  });

  it("flags exactly the injected faults, live, and the batch agrees to the last flag and count", async () => {
    expect(session).toHaveLength(389);
    // The lake gets what a scraper would write: one version per bar, the newest.
    await writeLake(store, [...bars, resentNow, resentLate]);

    // Live: half the session, a clean restart (the checks resume from the checkpoint), then the rest.
    const half = stream.findIndex((b) => b.ts >= "2024-10-02T17:30:00Z");
    const port = await freePort();
    const overrides = { STREAM_CHECKPOINT_INTERVAL_MS: "5000", METRICS_PORT: String(port) };
    const docs = barsCollection(env.mongo.db, "1m");
    let run = startStreamProcess(env, overrides);
    await produceBars(env.producer, env.topic, stream.slice(0, half), 50);
    await waitFor("first half written", async () => (await docs.countDocuments()) === half);
    const metrics = [await metricsWhen(port, run, (t) => /quant_quality_missing_bars_total\{[^}]*\} 41\n/.test(t))];
    await stop(run);
    run = startStreamProcess(env, overrides);
    await produceBars(env.producer, env.topic, stream.slice(half), 50);
    await waitFor(
      "late conflicts applied",
      async () => ((await docs.findOne({ _id: resentLate.id }))?.quality?.conflicts ?? 0) === 2,
    );
    metrics.push(await metricsWhen(port, run, (t) => /quant_quality_score\{[^}]*\} 0\.8744\n/.test(t)));
    await stop(run);

    const stored = await docs.find().sort({ ts: 1 }).toArray();
    expect(stored).toHaveLength(bars.length);
    const flagged = Object.fromEntries(
      stored.filter((d) => d.quality!.flags.length > 0).map((d) => [d._id, d.quality!.flags]),
    );
    expect(flagged).toEqual(expected);
    expect(stored.find((d) => d._id === at("17:10"))!.quality!.missingBefore).toBe(40);
    expect(stored.find((d) => d._id === at("15:16"))!.quality!.missingBefore).toBe(1);
    expect(stored.find((d) => d._id === at("18:20"))).toMatchObject({
      volume: resentNow.volume,
      quality: { conflicts: 1 },
    });
    expect(stored.find((d) => d._id === at("14:20"))).toMatchObject({
      close: resentLate.close,
      quality: { conflicts: 2 },
    });
    expect(stored.find((d) => d._id === at("19:30"))).toMatchObject({ partial: true });

    // The batch computation from the lake (conflicts from the stored documents: the lake keeps the last version).
    const report = await runReconcile(all, { store, mongo: env.mongo, logger: testLogger });
    expect(report.differences).toEqual([]);
    expect(report.compared).toBe(bars.length + 1); // the bars and the day's quality row
    const again = await runBatch(all, { store, mongo: env.mongo, logger: testLogger });
    expect(again).toMatchObject({ inserted: 0, unchanged: bars.length, qualityDays: 1 });

    // The day's row, as the report shows it: 390 minutes expected, 41 missing in 2 gaps, the rest as injected.
    const rows = await qualityCollection(env.mongo.db).find().toArray();
    const [summary] = summarizeQualityRows(rows);
    expect(summary).toMatchObject({
      symbol: "AAPL",
      interval: "1m",
      expected: 390,
      bars: 349,
      missing: 41,
      gaps: 2,
      staleRuns: 1,
      flagged: 8,
      score: Number((1 - (41 + 8) / 390).toFixed(4)),
    });
    expect(summary!.flags).toEqual({
      gap: 2,
      return_outlier: 1,
      range_outlier: 1,
      conflict: 2,
      stale: 3,
      zero_volume: 1,
      incomplete: 1,
      off_calendar: 0,
    });
    const cli = await runNodeScript(
      resolve(import.meta.dirname, "quality-main.ts"),
      ["--from", "2024-10-01", "--to", "2024-10-03"],
      { ...process.env, MONGODB_URI: cfg.MONGODB_URI, MONGODB_DB: env.dbName, LOG_LEVEL: "warn" },
    );
    expect(cli.code, cli.output).toBe(0);
    expect(cli.output).toMatch(/AAPL 1m\s+1\s+390\s+349\s+41\s+2\s+2\s+2\s+1\s+1\s+1\s+0\s+0\.8744/);

    // The stream's metrics (both runs) count what it flagged: the gaps came in the first run, the rest in the second.
    for (const flag of ["gap", "return_outlier", "range_outlier", "conflict", "stale", "zero_volume", "incomplete"])
      expect(metrics.join("")).toMatch(new RegExp(`quant_quality_flags_total\\{[^}]*flag="${flag}"[^}]*\\} [1-9]`));
  });
});
