// End-to-end: the dashboard in headless Chromium against the API on the native servers. Chromium is Debian's
// package (/usr/bin/chromium): installed here with apt-get when missing (idempotent; CI runs as root), driven by
// playwright-core (no browser download). The screenshot lands in test-artifacts/ (git-ignored).
// With QUANT_TEST_API_URL set (pnpm test:compose), the page comes from that running API instead (the compose stack's,
// on its published port): the chart must show the pipeline's own AAPL 1d bars, read from the stack's MongoDB
// (MONGODB_URI, MONGODB_DB), and the live bar is written there.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BarDocument, barsCollection, connectMongo, type MongoHandle, upsertBars } from "@quant/core";
import { testLogger } from "@quant/core/testing";
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

/** The API the browser opens, the AAPL 1d documents it serves, and the database a live bar is written to. */
interface Target {
  address: string;
  stored: BarDocument[];
  db: MongoHandle["db"];
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  const external = process.env.QUANT_TEST_API_URL;
  if (!external) {
    const t: TestApi = await startTestApi({ pollMs: 250 });
    const address = await t.app.listen({ host: "127.0.0.1", port: 0 });
    return { address, stored: t.docs.get("AAPL|1d")!, db: t.mongo.db, close: () => t.close() };
  }
  const mongo = await connectMongo({ uri: process.env.MONGODB_URI!, dbName: process.env.MONGODB_DB! }, testLogger);
  const stored = await barsCollection(mongo.db, "1d")
    .find({ symbol: "AAPL", interval: "1d" })
    .sort({ ts: 1 })
    .toArray();
  return { address: external.replace(/\/$/, ""), stored, db: mongo.db, close: () => mongo.close() };
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
    // waitForFunction(fn, arg, options): the options are the third argument (as the second, they were the page
    // function's argument and the default 30 s applied).
    await page.waitForFunction(
      () => (globalThis as unknown as { __dashboard?: { ready: boolean } }).__dashboard?.ready,
      undefined,
      // A running stack's API on FerretDB answers the page's first requests by scans: minutes on a busy machine.
      { timeout: process.env.QUANT_TEST_API_URL ? 600_000 : 60_000 },
    );
    const stored = t.stored;
    expect(stored.length).toBeGreaterThan(20);
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
    await upsertBars(barsCollection(t.db, "1d"), [next], { insertFirst: true });
    await page.waitForFunction(
      (n) => (globalThis as unknown as { __dashboard: Dash }).__dashboard.candles().length === n,
      stored.length + 1,
      { timeout: process.env.QUANT_TEST_API_URL ? 300_000 : 60_000 },
    );
    const after = await snapshot();
    expect(after.candles.at(-1)).toEqual({ time: next.ts.getTime() / 1000, close: next.close });
    expect(after.loads).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
    expect(errors).toEqual([]);
  });
});
