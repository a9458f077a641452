// Data files -> Yahoo chart recordings -> the replay path: the converted bars come out as Yahoo's would (session-open
// timestamps, trading dates, adjusted close), labelled replay; generated recordings come out labelled synthetic, and
// real recordings win over generated ones.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { testLogger } from "@quant/core/testing";
import { SyntheticMarket } from "@quant/synthetic";
import { describe, expect, it } from "vitest";
import { convertDataFile, DATA_FILES, type DataFileSpec, parseDataFile } from "./data-files.ts";
import { ensureGeneratedRecordings, generatedPlan, realAnchors } from "./generated-recordings.ts";
import { createReplayFetch, loadRecordings, matchRecording, parseRecording } from "./replay.ts";
import { createYahooSource } from "./yahoo.ts";

const SP500 = DATA_FILES.find((f) => f.symbol === "^GSPC")!;
const SP500_CSV = [
  "Date,Open,High,Low,Close,Adj Close,Volume",
  "3/9/2012,1365.97,1374.76,1365.97,1370.87,1370.87,3639470000",
  "3/12/2012,1370.78,1373.04,1366.69,1371.09,1371.09,3081870000",
  "3/13/2012,1371.92,1396.13,1371.92,1395.95,1395.95,4386470000",
].join("\n");

function replay(recordings: ReturnType<typeof loadRecordings>) {
  return createYahooSource({
    name: "replay",
    fetch: createReplayFetch(recordings),
    provenanceOf: (q) => matchRecording(recordings, q)?.provenance ?? "replay",
    requestsPerSecond: 1000,
    concurrency: 2,
    retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
    logger: testLogger,
    now: () => Date.parse("2026-01-01T00:00:00Z"),
  });
}

describe("data files", () => {
  it("parses both date layouts and a ticker column, skipping rows that are not numbers", () => {
    const bokeh: DataFileSpec = DATA_FILES.find((f) => f.symbol === "META")!;
    const csv = [
      "Ticker,Date,Open,High,Low,Close,Volume,Adj Close",
      "AAPL,2012-05-18,533.96,543.41,522.18,530.38,26125200,68.4",
      "FB,2012-05-18,42.05,45.0,38.0,38.2318,573576400,38.2318",
      "FB,2012-05-21,36.53,36.66,33.0,,168192700,34.03",
    ].join("\n");
    const r = parseDataFile(bokeh, csv);
    expect(r.rows).toEqual([
      {
        ts: Date.parse("2012-05-18T13:30:00Z"),
        open: 42.05,
        high: 45,
        low: 38,
        close: 38.2318,
        volume: 573576400,
        adjClose: 38.2318,
      },
    ]);
    expect(r.skipped).toEqual(["2012-05-21: a field is not a number"]);
    const btc = DATA_FILES.find((f) => f.interval === "1mo")!;
    const m = parseDataFile(btc, ",Open,High,Low,Close,Volume\n2012-01-31,4.58,7.38,3.8,5.55,2012.25\n");
    expect(m.rows[0]).toMatchObject({ ts: Date.parse("2012-01-01T00:00:00Z"), close: 5.55, adjClose: null });
  });

  it("converts into a chart recording that the replay source serves as Yahoo's bars, labelled replay", async () => {
    const conv = convertDataFile(SP500, gzipSync(SP500_CSV));
    expect(conv.name).toBe("chart-^GSPC-2012-03-09-to-2012-03-13-interval-1d.arch.json");
    const rec = parseRecording(conv.name, JSON.stringify(conv.exchange))!;
    expect(rec.provenance).toBe("replay");
    expect(rec.headers.find(([k]) => k === "x-converted-from")?.[1]).toMatch(/^PyPI arch==8\.0\.0 .*licence: NCSA/);
    const r = await replay([rec]).fetchSeries({
      symbol: "^GSPC",
      assetClass: "equity",
      interval: "1d",
      from: "2012-03-01",
      to: "2012-03-31",
    });
    expect(r.invalidBars).toEqual([]);
    // DST began 2012-03-11: the session open moves from 14:30Z to 13:30Z.
    expect(r.bars.map((b) => [b.ts, b.tradingDate, b.close, b.adjClose, b.source])).toEqual([
      ["2012-03-09T14:30:00Z", "2012-03-09", 1370.87, 1370.87, "replay"],
      ["2012-03-12T13:30:00Z", "2012-03-12", 1371.09, 1371.09, "replay"],
      ["2012-03-13T13:30:00Z", "2012-03-13", 1395.95, 1395.95, "replay"],
    ]);
    expect(r.bars[0]).toMatchObject({ exchange: "SNP", currency: "USD", volume: 3639470000 });
  });
});

describe("generated recordings", () => {
  const conv = convertDataFile(SP500, gzipSync(SP500_CSV));
  const real = [parseRecording(conv.name, JSON.stringify(conv.exchange))!];

  it("are planned only where a level is known: the curve model for yields, real closes otherwise", () => {
    const market = new SyntheticMarket({ seed: 1, anchors: realAnchors(real) });
    expect(realAnchors(real)["^GSPC"]).toEqual([
      { date: "2012-03-09", close: 1370.87 },
      { date: "2012-03-12", close: 1371.09 },
      { date: "2012-03-13", close: 1395.95 },
    ]);
    const plan = generatedPlan(real, market);
    expect(plan.entries.filter((e) => e.assetClass === "bond").map((e) => e.symbol)).toEqual([
      "^IRX",
      "^FVX",
      "^TNX",
      "^TYX",
    ]);
    // No real level of JPM anywhere: not generated (no made-up prices).
    expect(plan.entries.some((e) => e.symbol === "JPM")).toBe(false);
    expect(plan.skipped).toContain("JPM 1d: no real level of JPM in any recording");
  });

  it("are served labelled synthetic, only where no real recording overlaps, starting from the real level", async () => {
    const dir = mkdtempSync(join(tmpdir(), "generated-"));
    try {
      const btcMonthly = DATA_FILES.find((f) => f.interval === "1mo")!;
      const btc = convertDataFile(
        btcMonthly,
        Buffer.from(
          ",Open,High,Low,Close,Volume\n2024-08-31,64600,65000,49000,58970,1\n2024-09-30,58970,66500,52550,63330,1\n",
        ),
      );
      const reals = [...real, parseRecording(btc.name, JSON.stringify(btc.exchange))!];
      const first = ensureGeneratedRecordings(dir, 42, reals);
      expect(first.written).toBe(true);
      expect(ensureGeneratedRecordings(dir, 42, reals).written).toBe(false);
      const all = [...reals, ...loadRecordings([dir])];
      const source = replay(all);
      const bars = (
        await source.fetchSeries({
          symbol: "BTC-USD",
          assetClass: "crypto",
          interval: "1m",
          from: "2024-09-30",
          to: "2024-10-01",
        })
      ).bars;
      expect(bars.length).toBe(2 * 1440);
      expect(bars.every((b) => b.source === "synthetic")).toBe(true);
      // The day of the last real close ends at it; the next day goes on from there.
      expect(bars.find((b) => b.ts === "2024-09-30T23:59:00Z")?.close).toBeCloseTo(63330, 0);
      expect(bars.at(-1)!.close / 63330).toBeGreaterThan(0.8);
      expect(bars.at(-1)!.close / 63330).toBeLessThan(1.25);
      const tnx = await source.fetchSeries({
        symbol: "^TNX",
        assetClass: "bond",
        interval: "1d",
        from: "2012-03-01",
        to: "2012-03-31",
      });
      expect(tnx.bars.length).toBe(22);
      expect(tnx.bars.every((b) => b.source === "synthetic")).toBe(true);
      // A real recording overlapping the window wins over the generated one.
      const gspc = await source.fetchSeries({
        symbol: "^GSPC",
        assetClass: "equity",
        interval: "1d",
        from: "2012-03-01",
        to: "2012-03-31",
      });
      expect(gspc.bars.map((b) => b.source)).toEqual(["replay", "replay", "replay"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // It writes every generated recording (25 years of four yields among them): seconds on a loaded machine.
  }, 60_000);
});
