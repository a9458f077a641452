// End-to-end: the dashboard in headless Chromium against the API on the native servers. Chromium is Debian's
// package (/usr/bin/chromium): installed here with apt-get when missing (idempotent; CI runs as root), driven by
// playwright-core (no browser download). The screenshot lands in test-artifacts/ (git-ignored).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  barsCollection,
  type CandleDocument,
  candlesCollection,
  type FormingCandlesDocument,
  formingCandlesCollection,
  replaceById,
  upsertBars,
  writeCandles,
} from "@quant/core";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriesDocs, startTestApi, type TestApi } from "./test-data.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test-artifacts");

/** Installs Debian's chromium when it is missing (needs root and the Debian mirrors). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env });
}

let t: TestApi;
let context: BrowserContext;
let userDataDir: string;
let address: string;

beforeAll(async () => {
  ensureChromium();
  t = await startTestApi({ pollMs: 250 });
  address = await t.app.listen({ host: "127.0.0.1", port: 0 });
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
    await page.waitForFunction(
      () => (globalThis as unknown as { __dashboard?: { ready: boolean } }).__dashboard?.ready,
      undefined,
      { timeout: 60_000 },
    );
    const stored = t.docs.get("AAPL|1d")!;
    type Dash = {
      candles(): { time: number; close: number }[];
      overlay(f: string): { time: number; value?: number }[];
      rsi(): { value?: number }[];
      state: { loads: number; liveBars: number };
    };
    const snapshot = () =>
      page.evaluate(() => {
        const d = (globalThis as unknown as { __dashboard: Dash }).__dashboard;
        return {
          candles: d.candles().map((c) => ({ time: c.time, close: c.close })),
          sma20: d.overlay("sma20").filter((p) => p.value !== undefined).length,
          bbUpper: d.overlay("bbUpper").filter((p) => p.value !== undefined).length,
          rsi: d.rsi().filter((p) => p.value !== undefined).length,
          loads: d.state.loads,
        };
      });
    const before = await snapshot();
    expect(before.candles).toEqual(stored.map((d) => ({ time: d.ts.getTime() / 1000, close: d.close })));
    expect(before.sma20).toBe(stored.filter((d) => d.sma20 !== null).length);
    expect(before.bbUpper).toBeGreaterThan(0);
    expect(before.rsi).toBeGreaterThan(0);

    // A new bar written through the store shows up without a reload (SSE from the 250 ms poller).
    const next = seriesDocs("AAPL", "equity", "1d", stored.length + 1).at(-1)!;
    await upsertBars(barsCollection(t.mongo.db, "1d"), [next], { insertFirst: true });
    await page.waitForFunction(
      (n) => (globalThis as unknown as { __dashboard: Dash }).__dashboard.candles().length === n,
      stored.length + 1,
      { timeout: 60_000 },
    );
    const after = await snapshot();
    expect(after.candles.at(-1)).toEqual({ time: next.ts.getTime() / 1000, close: next.close });
    expect(after.loads).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
    expect(errors).toEqual([]);
  });

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
      candlesCollection(t.mongo.db),
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
    await replaceById(formingCandlesCollection(t.mongo.db), [forming(103.5)]);
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
    await replaceById(formingCandlesCollection(t.mongo.db), [forming(104.25)]);
    await page.waitForFunction(
      () => (globalThis as unknown as { __tradeCandles: Tc }).__tradeCandles.forming?.close === 104.25,
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.textContent("#tc-ohlc")).toMatch(/C 104\.25/);
    expect((await tc()).polls).toBeGreaterThan(polls);
    expect(errors).toEqual([]);
  });
});
