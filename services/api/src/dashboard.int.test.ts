// End-to-end: the dashboard in headless Chromium against the API on the native servers. Chromium is Debian's
// package (/usr/bin/chromium): installed here with apt-get when missing (idempotent; CI runs as root), driven by
// playwright-core (no browser download). The screenshot lands in test-artifacts/ (git-ignored).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

let t: TestApi;
let context: BrowserContext;
let userDataDir: string;
let address: string;

beforeAll(async () => {
  ensureChromium();
  // 260 daily bars: SMA200 is warm on the last 61.
  t = await startTestApi({ pollMs: 250, daily: 260 });
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
      {
        timeout: 60_000,
      },
    );
    const stored = t.docs.get("AAPL|1d")!;
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
    // SMA200 drawn on the long series, from its first warm bar (the 200th).
    expect(before.sma200).toBe(stored.length - 199);
    expect(before.sma200).toBe(stored.filter((d) => d.sma200 !== null).length);
    // Recorded data carries its badge, not the synthetic one.
    expect(await page.locator("#provenance").textContent()).toBe("recorded");
    expect(before.bbUpper).toBeGreaterThan(0);
    expect(before.rsi).toBeGreaterThan(0);

    // The cross-asset panel draws the slope series the job wrote (^TNX - ^IRX), marked synthetic: its inputs are.
    const slope = await page.evaluate(() =>
      (globalThis as unknown as { __dashboard: Dash }).__dashboard.crossAsset().map((p) => p.value),
    );
    const irx = new Map(t.docs.get("^IRX|1d")!.map((d) => [d.ts.getTime(), d.close]));
    const expected = t.docs
      .get("^TNX|1d")!
      .filter((d) => irx.has(d.ts.getTime()))
      .map((d) => d.close - irx.get(d.ts.getTime())!);
    expect(slope).toHaveLength(expected.length);
    expect(slope.at(-1)).toBeCloseTo(expected.at(-1)!, 10);
    expect(await page.locator("#xa-series").inputValue()).toBe("slope:^TNX-^IRX|1d");
    expect(await page.locator("#xa-provenance").textContent()).toBe("synthetic");
    expect(await page.locator("#curve-provenance").textContent()).toBe("synthetic");

    // A new bar written through the store shows up without a reload (SSE from the 250 ms poller).
    const next = seriesDocs("AAPL", "equity", "1d", stored.length + 1).at(-1)!;
    await writeBars(t.mongo.db, [next]);
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

  it("marks generated data synthetic and draws a rollup interval picked in the interval selector", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${address}/?symbol=BTC-USD&interval=1m`);
    await page.waitForFunction(
      () => (globalThis as unknown as { __dashboard?: { ready: boolean } }).__dashboard?.ready,
      { timeout: 60_000 },
    );
    // The symbol picker says which symbols are generated data; BTC-USD here is (1m bars and their rollups).
    expect(await page.locator("#symbol option:checked").textContent()).toBe("BTC-USD (crypto) · synthetic");
    expect(await page.locator("#provenance").textContent()).toBe("synthetic");
    const options = await page.locator("#interval option").allTextContents();
    expect(options).toContain("1h (rollup)");
    await page.selectOption("#interval", "1h");
    const rollups = t.docs.get("BTC-USD|1h|rollup")!;
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
});
