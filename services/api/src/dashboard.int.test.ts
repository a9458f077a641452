// End-to-end: the dashboard in headless Chromium against the API on the native servers. Chromium is Debian's
// package (/usr/bin/chromium): installed here with apt-get when missing (idempotent; CI runs as root), driven by
// playwright-core (no browser download). The screenshot lands in test-artifacts/ (git-ignored).
// With QUANT_TEST_API_URL set (pnpm test:compose), the page comes from that running API instead (the compose stack's,
// on its published port): the chart must show the pipeline's own AAPL 1d bars, read from the stack's MongoDB
// (MONGODB_URI, MONGODB_DB), and the live bar is written there. The checks that need this file's own test data (the
// cross-asset slope it wrote, the synthetic BTC-USD rollups) run only against the test API.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BarDocument,
  barsCollection,
  type CandleDocument,
  candlesCollection,
  connectMongo,
  type FormingCandlesDocument,
  formingCandlesCollection,
  type MongoHandle,
  replaceById,
  writeCandles,
} from "@quant/core";
import { testLogger } from "@quant/core/testing";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriesDocs, startTestApi, type TestApi, writeBars } from "./test-data.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test-artifacts");

/** Installs Debian's chromium when it is missing (needs root and the Debian mirrors). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env });
}

const EXTERNAL = process.env.QUANT_TEST_API_URL;

/** The API the browser opens, the AAPL 1d documents it serves, and the database a live bar is written to. */
interface Target {
  address: string;
  stored: BarDocument[];
  db: MongoHandle["db"];
  /** The test API's own documents; absent against a running stack. */
  api?: TestApi;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  if (!EXTERNAL) {
    // 260 daily bars: SMA200 is warm on the last 61.
    const api = await startTestApi({ pollMs: 250, daily: 260 });
    const address = await api.app.listen({ host: "127.0.0.1", port: 0 });
    return { address, stored: api.docs.get("AAPL|1d")!, db: api.mongo.db, api, close: () => api.close() };
  }
  const mongo = await connectMongo({ uri: process.env.MONGODB_URI!, dbName: process.env.MONGODB_DB! }, testLogger);
  const stored = await barsCollection(mongo.db, "1d")
    .find({ symbol: "AAPL", interval: "1d" })
    .sort({ ts: 1 })
    .toArray();
  return { address: EXTERNAL.replace(/\/$/, ""), stored, db: mongo.db, close: () => mongo.close() };
}

let t: Target;
let context: BrowserContext;
let userDataDir: string;
let address: string;

beforeAll(async () => {
  ensureChromium();
  t = await startTarget();
  address = t.address;
  userDataDir = mkdtempSync(join(tmpdir(), "quant-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 600_000);

afterAll(async () => {
  await context?.close();
  await t?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe("dashboard", () => {
  it("charts the stored bars with overlays and adds a new bar live, without reload", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${address}/?symbol=AAPL&interval=1d`);
    // waitForFunction(fn, arg, options): the options are the third argument.
    await page.waitForFunction(
      () => (globalThis as unknown as { __dashboard?: { ready: boolean } }).__dashboard?.ready,
      undefined,
      // A running stack's API on FerretDB answers the page's first requests by scans: minutes on a busy machine.
      { timeout: EXTERNAL ? 600_000 : 60_000 },
    );
    const stored = t.stored;
    // The test API's series is long enough to warm SMA200; a running stack serves what its run scraped (pnpm
    // test:compose: AAPL's 49 recorded bars).
    expect(stored.length).toBeGreaterThan(EXTERNAL ? 0 : 200);
    type Dash = {
      candles(): { time: number; close: number }[];
      overlay(f: string): { time: number; value?: number }[];
      rsi(): { value?: number }[];
      crossAsset(): { time: number; value: number }[];
      state: { loads: number; liveBars: number; interval: string; provenance: string | null };
    };
    const snapshot = () =>
      page.evaluate(() => {
        const d = (globalThis as unknown as { __dashboard: Dash }).__dashboard;
        return {
          candles: d.candles().map((c) => ({ time: c.time, close: c.close })),
          sma20: d.overlay("sma20").filter((p) => p.value !== undefined).length,
          sma200: d.overlay("sma200").filter((p) => p.value !== undefined).length,
          bbUpper: d.overlay("bbUpper").filter((p) => p.value !== undefined).length,
          rsi: d.rsi().filter((p) => p.value !== undefined).length,
          loads: d.state.loads,
        };
      });
    const before = await snapshot();
    expect(before.candles).toEqual(stored.map((d) => ({ time: d.ts.getTime() / 1000, close: d.close })));
    expect(before.sma20).toBe(stored.filter((d) => d.sma20 !== null).length);
    // SMA200 drawn from its first warm bar (the 200th), if the series has one.
    expect(before.sma200).toBe(Math.max(0, stored.length - 199));
    expect(before.sma200).toBe(stored.filter((d) => d.sma200 !== null).length);
    // Recorded data carries its badge, not the synthetic one.
    expect(await page.locator("#provenance").textContent()).toBe("recorded");
    expect(before.bbUpper).toBeGreaterThan(0);
    expect(before.rsi).toBeGreaterThan(0);

    if (t.api) {
      // The cross-asset panel draws the slope series the job wrote (^TNX - ^IRX), marked synthetic: its inputs are.
      const docs = t.api.docs;
      const slope = await page.evaluate(() =>
        (globalThis as unknown as { __dashboard: Dash }).__dashboard.crossAsset().map((p) => p.value),
      );
      const irx = new Map(docs.get("^IRX|1d")!.map((d) => [d.ts.getTime(), d.close]));
      const expected = docs
        .get("^TNX|1d")!
        .filter((d) => irx.has(d.ts.getTime()))
        .map((d) => d.close - irx.get(d.ts.getTime())!);
      expect(slope).toHaveLength(expected.length);
      expect(slope.at(-1)).toBeCloseTo(expected.at(-1)!, 10);
      expect(await page.locator("#xa-series").inputValue()).toBe("slope:^TNX-^IRX|1d");
      expect(await page.locator("#xa-provenance").textContent()).toBe("synthetic");
      expect(await page.locator("#curve-provenance").textContent()).toBe("synthetic");
    }

    // A new bar written through the store shows up without a reload (SSE from the 250 ms poller).
    const next = seriesDocs("AAPL", "equity", "1d", stored.length + 1).at(-1)!;
    await writeBars(t.db, [next]);
    await page.waitForFunction(
      (n) => (globalThis as unknown as { __dashboard: Dash }).__dashboard.candles().length === n,
      stored.length + 1,
      { timeout: EXTERNAL ? 300_000 : 60_000 },
    );
    const after = await snapshot();
    expect(after.candles.at(-1)).toEqual({ time: next.ts.getTime() / 1000, close: next.close });
    expect(after.loads).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
    expect(errors).toEqual([]);
  });

  // Needs this file's test data (BTC-USD generated 1m bars and their rollups): defined for the test API only.
  if (!EXTERNAL)
    it("marks generated data synthetic and draws a rollup interval picked in the interval selector", async () => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${address}/?symbol=BTC-USD&interval=1m`);
      await page.waitForFunction(
        () => (globalThis as unknown as { __dashboard?: { ready: boolean } }).__dashboard?.ready,
        undefined,
        { timeout: 60_000 },
      );
      // The symbol picker says which symbols are generated data; BTC-USD here is (1m bars and their rollups).
      expect(await page.locator("#symbol option:checked").textContent()).toBe("BTC-USD (crypto) · synthetic");
      expect(await page.locator("#provenance").textContent()).toBe("synthetic");
      const options = await page.locator("#interval option").allTextContents();
      expect(options).toContain("1h (rollup)");
      await page.selectOption("#interval", "1h");
      const rollups = t.api!.docs.get("BTC-USD|1h|rollup")!;
      await page.waitForFunction(
        (n) => {
          const d = (globalThis as unknown as { __dashboard: { candles(): unknown[]; state: { interval: string } } })
            .__dashboard;
          return d.state.interval === "1h" && d.candles().length === n;
        },
        rollups.length,
        { timeout: 30_000 },
      );
      const drawn = await page.evaluate(() =>
        (globalThis as unknown as { __dashboard: { candles(): { time: number; close: number }[] } }).__dashboard
          .candles()
          .map((c) => ({ time: c.time, close: c.close })),
      );
      expect(drawn).toEqual(rollups.map((d) => ({ time: d.ts.getTime() / 1000, close: d.close })));
      expect(await page.locator("#provenance").textContent()).toBe("rollup of synthetic");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-rollup.png") });
      expect(errors).toEqual([]);
    });

  // Writes candles into the test API's database: for the test API only.
  if (!EXTERNAL)
    it("shows the trade candle forming now, updated live 5 times a second, over the closed ones", async () => {
      const T = Date.UTC(2024, 0, 2, 12, 0, 0);
      const candle = (i: number, close: number): Omit<CandleDocument, "_id"> => ({
        symbol: "SYN-BTC",
        assetClass: "crypto",
        width: "10s",
        ts: new Date(T + i * 10_000),
        open: 100,
        high: Math.max(101, close),
        low: 99,
        close,
        volume: 2.5,
        vwap: 100.2,
        trades: 40,
        exchange: "SYNTHETIC",
        currency: "USD",
        source: "synthetic",
        ingestTs: new Date(T + i * 10_000 + 9_000),
        processedTs: new Date(),
      });
      await writeCandles(
        candlesCollection(t.db),
        [0, 1, 2].map((i) => ({ _id: `SYN-BTC|10s|${new Date(T + i * 10_000).toISOString()}`, ...candle(i, 100 + i) })),
      );
      const forming = (close: number): FormingCandlesDocument => {
        const { symbol, assetClass, exchange, currency, source, processedTs, ...c } = candle(3, close);
        return {
          _id: symbol,
          symbol,
          assetClass,
          exchange,
          currency,
          source,
          processedTs,
          candles: [{ ...c, end: new Date(T + 40_000) }],
        };
      };
      await replaceById(formingCandlesCollection(t.db), [forming(103.5)]);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${address}/`);
      type Tc = { forming: { close: number } | null; closed: number; polls: number };
      const tc = () => page.evaluate(() => (globalThis as unknown as { __tradeCandles: Tc }).__tradeCandles);
      await page.waitForFunction(
        () => (globalThis as unknown as { __tradeCandles: Tc }).__tradeCandles.forming?.close === 103.5,
        undefined,
        { timeout: 60_000 },
      );
      expect((await tc()).closed).toBe(3);
      expect(await page.textContent("#tc-source")).toMatch(/synthetic trades \(generated, not market data\)/);
      // The aggregator rewrites the forming candle: the panel follows without a reload.
      const polls = (await tc()).polls;
      await replaceById(formingCandlesCollection(t.db), [forming(104.25)]);
      await page.waitForFunction(
        () => (globalThis as unknown as { __tradeCandles: Tc }).__tradeCandles.forming?.close === 104.25,
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.textContent("#tc-ohlc")).toMatch(/C 104\.25/);
      expect((await tc()).polls).toBeGreaterThan(polls);
      expect(errors).toEqual([]);
    });

  // Needs this file's test data (AAPL 5m with a gap of ten bars): defined for the test API only.
  if (!EXTERNAL)
    it("lists the worst series in the quality panel and marks the flagged bars on the chart", {
      timeout: 180_000,
    }, async () => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      // Script errors only: the browser's own request for /favicon.ico is a 404 the console reports too.
      page.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
      });
      await page.goto(`${address}/?symbol=AAPL&interval=5m`);
      type Dash = {
        ready: boolean;
        state: { symbol: string; interval: string; loads: number };
        quality?: {
          ready: boolean;
          rows: { symbol: string; interval: string; score: number }[];
          markers: { time: number; text: string }[];
        };
      };
      const dash = () => page.evaluate(() => (globalThis as unknown as { __dashboard: Dash }).__dashboard);
      const ready = () =>
        page
          .waitForFunction(
            () => {
              const d = (globalThis as unknown as { __dashboard?: Dash }).__dashboard;
              return d?.ready && d.quality?.ready;
            },
            undefined,
            { timeout: 60_000 },
          )
          .catch(async (err) => {
            const caption = await page.locator("#quality-caption").textContent();
            throw new Error(`${(err as Error).message}; caption: ${caption}; errors: ${errors.join(" | ")}`);
          });
      await ready();
      // The panel lists what /api/quality reports by default (the latest seven days with rows), worst first.
      const report = (await t.api!.app.inject({ method: "GET", url: "/api/quality?limit=8" })).json() as {
        series: { symbol: string; interval: string; score: number }[];
      };
      const shown = await dash();
      expect(shown.quality!.rows.map((r) => [r.symbol, r.interval, r.score])).toEqual(
        report.series.map((r) => [r.symbol, r.interval, r.score]),
      );
      expect(await page.locator("#quality tbody tr").count()).toBe(report.series.length);
      // A marker above each flagged bar of the charted series: AAPL 5m lost ten bars in a row (test-data.ts).
      const flagged = t.api!.docs.get("AAPL|5m")!.filter((d) => (d.quality?.flags.length ?? 0) > 0);
      expect(shown.quality!.markers.map((m) => m.time)).toEqual(flagged.map((d) => d.ts.getTime() / 1000));
      expect(shown.quality!.markers.map((m) => m.text)).toContain("gap 10");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-quality.png") });
      // Clicking a row of the panel selects that series for the chart (the load that follows is the chart's own).
      const pick = report.series.at(-1)!;
      await page.locator("#quality tbody tr").last().click();
      const chosen = await dash();
      expect([chosen.state.symbol, chosen.state.interval]).toEqual([pick.symbol, pick.interval]);
      expect(errors).toEqual([]);
    });
});
