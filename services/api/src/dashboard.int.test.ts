// End-to-end: the dashboard in headless Chromium against the API on the native servers. Chromium is Debian's
// package (/usr/bin/chromium): installed here with apt-get when missing (idempotent; CI runs as root), driven by
// playwright-core (no browser download). The screenshot lands in test-artifacts/ (git-ignored).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { barsCollection, upsertBars } from "@quant/core";
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
    // (arg, then options: the page's first load reads every series' latest bar, a scan each on FerretDB)
    await page.waitForFunction(
      () => (globalThis as unknown as { __dashboard?: { ready: boolean } }).__dashboard?.ready,
      undefined,
      { timeout: 120_000 },
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

  // The page's first load waits for FerretDB's scans of every series: minutes on a loaded machine.
  it("lists the worst series in the quality panel and marks the flagged bars on the chart", {
    timeout: 480_000,
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
          { timeout: 240_000 },
        )
        .catch(async (err) => {
          const caption = await page.locator("#quality-caption").textContent();
          throw new Error(`${(err as Error).message}; caption: ${caption}; errors: ${errors.join(" | ")}`);
        });
    await ready();
    // The panel lists what /api/quality reports by default (the latest seven days with rows), worst first.
    const report = (await t.app.inject({ method: "GET", url: "/api/quality?limit=8" })).json() as {
      series: { symbol: string; interval: string; score: number }[];
    };
    const shown = await dash();
    expect(shown.quality!.rows.map((r) => [r.symbol, r.interval, r.score])).toEqual(
      report.series.map((r) => [r.symbol, r.interval, r.score]),
    );
    expect(await page.locator("#quality tbody tr").count()).toBe(report.series.length);
    // A marker above each flagged bar of the charted series: AAPL 5m lost ten bars in a row (test-data.ts).
    const flagged = t.docs.get("AAPL|5m")!.filter((d) => (d.quality?.flags.length ?? 0) > 0);
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
