// Each Yahoo failure mode, replayed from the recorded fixtures (never copied into the repo) or injected.
import { resolve } from "node:path";
import { testLogger } from "@quant/core/testing";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config.ts";
import { createReplayFetch, loadRecordings, matchRecording } from "./replay.ts";
import { createYahooSource } from "./yahoo.ts";

const FIXTURES = process.env.YAHOO_FIXTURES_DIR ?? resolve(REPO_ROOT, "../shared/fixtures/yahoo");
const recordings = loadRecordings([FIXTURES]);
const replayFetch = createReplayFetch(recordings);
// Recordings are from the past; "now" is far after them so no bar counts as still forming.
const NOW = Date.parse("2026-11-21T12:00:00Z");

function source(fetchImpl: typeof fetch = replayFetch, now = NOW) {
  return createYahooSource({
    name: "replay",
    fetch: fetchImpl,
    requestsPerSecond: 1000,
    concurrency: 2,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 },
    logger: testLogger,
    now: () => now,
  });
}

/** A fetch that answers `failures` first, then the replay. */
function failingFirst(failures: Response[]): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const f = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    calls++;
    const next = failures.shift();
    return next ?? replayFetch(input, init);
  }) as typeof fetch;
  return { fetch: f, calls: () => calls };
}

describe("replay matching", () => {
  it("serves the recording of the same symbol and interval that overlaps the request most", () => {
    const q = { symbol: "AAPL", interval: "1d", period1: Date.parse("2020-09-01"), period2: Date.parse("2020-09-10") };
    expect(matchRecording(recordings, q)?.file).toMatch(/chart-AAPL-2020-08-31-to-2020-11-07\.json$/);
    expect(matchRecording(recordings, { ...q, interval: "5m" })).toBeUndefined();
    expect(recordings.some((r) => r.file.includes(".fake."))).toBe(false);
  });
});

describe("Yahoo source over recorded responses", () => {
  it("keeps the 4:1 split and the dividend beside unadjusted bars, and shifts the bar time at DST end", async () => {
    const r = await source().fetchSeries({
      symbol: "AAPL",
      assetClass: "equity",
      interval: "1d",
      from: "2020-08-31",
      to: "2020-11-06",
    });
    expect(r.bars).toHaveLength(49);
    expect(r.events.map((e) => [e.type, e.exDate, e.numerator ?? e.amount])).toEqual([
      ["split", "2020-08-31", 4],
      ["dividend", "2020-11-06", 0.205],
    ]);
    const byDate = new Map(r.bars.map((b) => [b.tradingDate, b]));
    // 09:30 New York: 13:30Z under EDT, 14:30Z once DST ended on 2020-11-01.
    expect(byDate.get("2020-10-30")?.ts).toBe("2020-10-30T13:30:00Z");
    expect(byDate.get("2020-11-02")?.ts).toBe("2020-11-02T14:30:00Z");
    expect(byDate.has("2020-09-07")).toBe(false); // Labor Day
    const b = byDate.get("2020-11-06")!;
    expect(b).toMatchObject({ id: "AAPL|1d|2020-11-06T14:30:00Z", currency: "USD", exchange: "NMS", source: "replay" });
    expect(b.adjClose).not.toBeNull();
    expect(b.adjClose).not.toBe(b.close); // raw close kept, adjusted close beside it
  });

  it("counts an all-null bar as nullBars and does not emit it", async () => {
    // The legacy WSU.DE recording has 2023-08-07 entirely null.
    const legacy = createReplayFetch(loadRecordings([resolve(FIXTURES, "legacy-tests-http")]));
    const r = await source(legacy).fetchSeries({
      symbol: "WSU.DE",
      assetClass: "equity",
      interval: "1d",
      from: "2023-08-04",
      to: "2023-08-08",
    });
    expect(r.nullBars).toEqual(["2023-08-07T07:00:00Z"]);
    expect(r.bars.map((b) => b.tradingDate)).toEqual(["2023-08-04", "2023-08-08"]); // Europe/Berlin dates
    expect(r.bars[0]).toMatchObject({ currency: "EUR", exchange: "GER" });
  });

  it("flags the null minute of AAPL 1m and drops the live bar outside the window", async () => {
    const r = await source().fetchSeries({
      symbol: "AAPL",
      assetClass: "equity",
      interval: "1m",
      from: "2024-10-02",
      to: "2024-10-02",
    });
    expect(r.nullBars).toEqual(["2024-10-02T15:15:00Z"]);
    expect(r.bars).toHaveLength(389);
    expect(r.outsideWindow).toBe(1); // Oct 3 20:00Z, the live price
    expect(r.bars.every((b) => b.volume >= 0 && b.close > 0)).toBe(true);
  });

  it("reports a partly-null bar instead of emitting zeros", async () => {
    const rec = recordings.find((x) => x.file.endsWith("chart-BTC-USD-2020-01-01-to-2020-01-03.json"))!;
    const body = JSON.parse(rec.body);
    body.chart.result[0].indicators.quote[0].close[1] = null;
    const f = (async () => new Response(JSON.stringify(body), { status: 200 })) as unknown as typeof fetch;
    const r = await source(f).fetchSeries({
      symbol: "BTC-USD",
      assetClass: "crypto",
      interval: "1d",
      from: "2020-01-01",
      to: "2020-01-02",
    });
    expect(r.partialNullBars).toEqual(["2020-01-02T00:00:00Z (close null)"]);
    expect(r.bars.map((b) => b.ts)).toEqual(["2020-01-01T00:00:00Z"]);
  });

  it("returns no bars for an empty weekend response", async () => {
    const r = await source().fetchSeries({
      symbol: "AAPL",
      assetClass: "equity",
      interval: "1m",
      from: "2025-02-01",
      to: "2025-02-01",
    });
    expect(r.bars).toEqual([]);
    expect(r.nullBars).toEqual([]);
  });

  it("marks the still-forming newest bar partial", async () => {
    // "Now" is 2020-01-02 12:00Z: the crypto daily bar of Jan 2 (00:00Z) has not closed yet.
    const r = await source(replayFetch, Date.parse("2020-01-02T12:00:00Z")).fetchSeries({
      symbol: "BTC-USD",
      assetClass: "crypto",
      interval: "1d",
      from: "2020-01-01",
      to: "2020-01-02",
    });
    expect(r.bars.map((b) => b.partial)).toEqual([false, true]);
  });

  it("retries a 429 and then succeeds", async () => {
    const f = failingFirst([new Response("Too Many Requests", { status: 429, statusText: "Too Many Requests" })]);
    const r = await source(f.fetch).fetchSeries({
      symbol: "BTC-USD",
      assetClass: "crypto",
      interval: "1d",
      from: "2020-01-01",
      to: "2020-01-02",
    });
    expect(r.bars).toHaveLength(2);
    expect(f.calls()).toBe(2);
  });

  it("retries a 401 invalid crumb and a 503, then succeeds", async () => {
    const crumb = JSON.stringify({
      finance: { result: null, error: { code: "Unauthorized", description: "Invalid Crumb" } },
    });
    const f = failingFirst([
      new Response(crumb, { status: 401, statusText: "Unauthorized" }),
      new Response("upstream", { status: 503, statusText: "Service Unavailable" }),
    ]);
    const r = await source(f.fetch).fetchSeries({
      symbol: "AAPL",
      assetClass: "equity",
      interval: "1d",
      from: "2020-01-01",
      to: "2020-01-02",
    });
    expect(r.bars.map((b) => b.id)).toEqual(["AAPL|1d|2020-01-02T14:30:00Z"]);
    expect(f.calls()).toBe(3);
  });

  it("does not retry a 404 and fails that symbol only", async () => {
    const f = failingFirst([]);
    await expect(
      source(f.fetch).fetchSeries({
        symbol: "NOPE",
        assetClass: "equity",
        interval: "1d",
        from: "2020-01-01",
        to: "2020-01-02",
      }),
    ).rejects.toThrow(/No data found/);
    expect(f.calls()).toBe(1);
  });
});
