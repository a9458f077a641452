import { describe, expect, it } from "vitest";
import { seriesDocs, useTestApi, writeBars } from "./test-data.ts";

const { api, get } = useTestApi();

describe("api", () => {
  it("lists the universe's symbols with their latest bar", async () => {
    const r = await get("/api/symbols");
    expect(r.status).toBe(200);
    const aapl = r.body.symbols.find((s: { symbol: string }) => s.symbol === "AAPL");
    const last = api().docs.get("AAPL|1d")!.at(-1)!;
    expect(aapl).toMatchObject({ intervals: ["5m", "1h", "1d"], scraped: ["5m", "1d"], rollups: ["1h", "1d"] });
    const btc = r.body.symbols.find((s: { symbol: string }) => s.symbol === "BTC-USD");
    expect(btc).toMatchObject({ intervals: ["1m", "5m", "1h", "1d"], rollups: ["5m", "1h", "1d"] });
    expect(aapl.latest).toMatchObject({
      interval: "1d",
      ts: last.ts.toISOString(),
      close: last.close,
      source: "replay",
    });
    // Provenance per interval: the yields are generated (synthetic), a rollup has its source series' provenance.
    expect(aapl.sources).toEqual({ "5m": "replay", "1d": "replay" });
    expect(r.body.symbols.find((s: { symbol: string }) => s.symbol === "^TNX").sources).toEqual({ "1d": "synthetic" });
    expect(btc.sources).toEqual({ "1m": "synthetic", "1h": "synthetic" });
    expect(r.body.symbols.find((s: { symbol: string }) => s.symbol === "NFLX").latest).toBeNull();
  });

  it("serves the last bars with metrics, oldest first, and date ranges", async () => {
    const all = api().docs.get("AAPL|1d")!;
    const r = await get("/api/bars?symbol=AAPL&interval=1d&limit=50");
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(50);
    expect(r.body.bars.map((b: { ts: string }) => b.ts)).toEqual(all.slice(-50).map((d) => d.ts.toISOString()));
    const lastBar = r.body.bars.at(-1);
    expect(lastBar.sma20).toBeCloseTo(all.at(-1)!.sma20!, 10);
    expect(lastBar).toHaveProperty("rsi14");
    expect(lastBar).not.toHaveProperty("_id");
    const from = all[10]!.ts.toISOString();
    const to = all[20]!.ts.toISOString();
    const range = await get(`/api/bars?symbol=AAPL&interval=1d&from=${from}&to=${to}`);
    expect(range.status).toBe(200);
    expect(range.body.bars.map((b: { ts: string }) => b.ts)).toEqual(all.slice(10, 20).map((d) => d.ts.toISOString()));
    // Intraday through the same endpoint; an interval nobody writes for the symbol is empty, not an error.
    expect((await get("/api/bars?symbol=AAPL&interval=5m&limit=10")).body).toMatchObject({
      source: "scraped",
      count: 10,
    });
    expect((await get("/api/bars?symbol=AAPL&interval=15m")).body).toMatchObject({ interval: "15m", count: 0 });
  });

  it("serves rollups from bars_rollup through the same endpoint", async () => {
    const rollups = api().docs.get("BTC-USD|1h|rollup")!;
    const auto = await get("/api/bars?symbol=BTC-USD&interval=1h&limit=1000");
    expect(auto.status).toBe(200);
    expect(auto.body).toMatchObject({ source: "rollup", count: rollups.length });
    expect(auto.body.bars.at(-1).close).toBe(rollups.at(-1)!.close);
    // BTC-USD is scraped at 5m too: auto takes the scraped series, source=rollup the built one.
    expect((await get("/api/bars?symbol=BTC-USD&interval=5m")).body).toMatchObject({ source: "scraped", count: 0 });
    expect((await get("/api/bars?symbol=BTC-USD&interval=1h&source=scraped")).body.count).toBe(0);
    expect((await get("/api/bars?symbol=BTC-USD&interval=1h&source=bogus")).status).toBe(400);
  });

  it("serves the quality report of a date range, worst series first, and each bar's flags", async () => {
    const r = await get("/api/quality?from=2024-01-01&to=2024-01-31");
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(8);
    // AAPL 5m lost ten bars in a row (test-data.ts), besides the synthetic series' own rare gaps.
    const aapl5m = api().docs.get("AAPL|5m")!;
    const gaps = aapl5m.filter((d) => d.quality?.flags.includes("gap"));
    const missing = gaps.reduce((n, d) => n + d.quality!.missingBefore, 0);
    const [worst] = r.body.series;
    expect(worst).toMatchObject({ symbol: "AAPL", interval: "5m", missing, gaps: gaps.length, bars: aapl5m.length });
    expect(worst.expected).toBe(aapl5m.length + missing);
    expect(missing).toBeGreaterThanOrEqual(10);
    expect(worst.score).toBeLessThan(0.91);
    const scores = r.body.series.map((s: { score: number }) => s.score);
    expect([...scores].sort((a, b) => a - b)).toEqual(scores);
    const one = await get("/api/quality?from=2024-01-01&to=2024-01-31&symbols=MSFT,^TNX&limit=1");
    expect(one.body.count).toBe(2);
    expect(one.body.series).toHaveLength(1);
    expect(["MSFT", "^TNX"]).toContain(one.body.series[0].symbol);
    expect((await get("/api/quality?from=2030-01-01&to=2030-01-07")).body).toMatchObject({ count: 0, series: [] });
    // The bar after the gap carries its flag, for the chart's markers.
    const bars = (await get("/api/bars?symbol=AAPL&interval=5m&limit=100")).body.bars;
    const flagged = bars.filter((b: { quality: { flags: string[] } }) => b.quality.flags.length > 0);
    expect(flagged.map((b: { ts: string }) => b.ts)).toEqual(gaps.map((d) => d.ts.toISOString()));
    expect(flagged.map((b: { quality: unknown }) => b.quality)).toContainEqual({
      flags: ["gap"],
      missingBefore: 10,
      conflicts: 0,
    });
    for (const [url, message] of [
      ["/api/quality?from=2024-02-01&to=2024-01-01", /from must not be after to/],
      ["/api/quality?from=2020-01-01&to=2024-01-01", /range too large/],
      ["/api/quality?to=tomorrow", /^to: expected a trading date/],
      ["/api/quality?symbols=AAPL,%7B%22$gt%22:%22%22%7D", /^symbols/],
      ["/api/quality?symbols[$ne]=x", /unknown parameter/],
      ["/api/quality?limit=0", /^limit: expected 1 to 500/],
    ] as const) {
      const bad = await get(url);
      expect(bad.status, url).toBe(400);
      expect(bad.body.error, url).toMatch(message);
    }
  });

  it("answers 404 for an unknown symbol and 400 for bad input, with a message", async () => {
    const unknown = await get("/api/bars?symbol=ZZZZ&interval=1d");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("unknown symbol: ZZZZ");
    const cases: [string, RegExp][] = [
      ["/api/bars?symbol=AAPL&from=2024-03-01&to=2024-02-01", /from must be before to/],
      ["/api/bars?symbol=AAPL&interval=1m&from=2020-01-01&to=2024-01-01", /range too large/],
      ["/api/bars?symbol=AAPL&interval=1d&from=2000-01-01&to=2024-01-01", /range too large/],
      ["/api/bars?symbol=AAPL&from=yesterday", /^from: expected an ISO date/],
      ["/api/bars?symbol=AAPL&interval=2d", /^interval:/],
      ["/api/bars?symbol=AAPL&limit=100000", /^limit: expected 1 to 5000/],
      ["/api/bars?symbol=AAPL&limit=-1", /^limit: expected a positive integer/],
      ["/api/bars?interval=1d", /^symbol:/],
      ["/api/cross-asset?series=slope:^TNX-^IRX|1d&from=1990-01-01&to=2024-01-01", /range too large/],
      ["/api/movers?date=02-01-2024", /^date:/],
    ];
    for (const [url, message] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(r.body.error, url).toMatch(message);
    }
  });

  it("refuses objects and operators in query parameters (no NoSQL injection)", async () => {
    const attempts = [
      "/api/bars?symbol[$ne]=x",
      "/api/bars?symbol[$gt]=&interval=1d",
      `/api/bars?symbol=${encodeURIComponent('{"$gt":""}')}`,
      "/api/bars?symbol=AAPL&symbol=MSFT",
      "/api/bars?symbol=AAPL&interval[$in]=1d",
      "/api/bars?symbol=AAPL&from[$gt]=2024-01-01",
      "/api/bars?symbol=AAPL&$where=1",
      `/api/bars?symbol=${encodeURIComponent("AAPL' || '1'=='1")}`,
      "/api/cross-asset?series[$regex]=.*",
      `/api/cross-asset?series=${encodeURIComponent('{"$ne":null}')}`,
      "/api/movers?date[$ne]=x",
      "/api/stream?symbol[$ne]=x",
      "/api/symbols?x[$ne]=1",
    ];
    for (const url of attempts) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(typeof r.body.error, url).toBe("string");
    }
  });

  it("serves the yield-curve slope, top movers and health", async () => {
    const tnx = api().docs.get("^TNX|1d")!;
    const from = tnx[0]!.ts.toISOString().slice(0, 10);
    const to = new Date(tnx.at(-1)!.ts.getTime() + 86_400_000).toISOString().slice(0, 10);
    const slope = await get(
      `/api/cross-asset?series=${encodeURIComponent("slope:^TNX-^IRX|1d")}&from=${from}&to=${to}`,
    );
    expect(slope.status).toBe(200);
    expect(slope.body.count).toBe(tnx.length);
    expect((await get("/api/cross-asset/series")).body.series).toEqual(["slope:^TNX-^IRX|1d"]);

    const date = api().docs.get("AAPL|1d")!.at(-1)!.tradingDate;
    const movers = await get(`/api/movers?date=${date}`);
    expect(movers.status).toBe(200);
    const returns = movers.body.movers.map((m: { logReturn: number }) => m.logReturn);
    expect(returns.length).toBeGreaterThanOrEqual(2);
    expect([...returns].sort((a, b) => b - a)).toEqual(returns);

    const health = await get("/api/health");
    expect(health.status).toBe(200);
    expect(health.body.servers.mongodb.ok).toBe(true);
    const equity = health.body.assets.find((a: { assetClass: string }) => a.assetClass === "equity");
    expect(equity.topic).toBe("equities_ticks");
    const newest = ["AAPL|1d", "MSFT|1d", "AAPL|5m"].map((k) => api().docs.get(k)!.at(-1)!.ts.toISOString()).sort();
    expect(equity.lastBarTs).toBe(newest.at(-1));
  });

  it("streams new bars over server-sent events and exposes /metrics", async () => {
    const address = await api().app.listen({ host: "127.0.0.1", port: 0 });
    const ctrl = new AbortController();
    const res = await fetch(`${address}/api/stream?symbol=MSFT&interval=1d`, { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 15_000;
      while (!text.includes(needle) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      return text.includes(needle);
    };
    expect(await readUntil("event: ready")).toBe(true);
    // Wait for the poller to hold the latest bar, then write the next bar through the store.
    await api().cache.poll();
    const existing = api().docs.get("MSFT|1d")!;
    const next = seriesDocs("MSFT", "equity", "1d", existing.length + 1).at(-1)!;
    await writeBars(api().mongo.db, [next]);
    expect(await readUntil("event: bars")).toBe(true);
    const data = text.split("event: bars\ndata: ")[1]!.split("\n\n")[0]!;
    expect(JSON.parse(data).map((b: { ts: string }) => b.ts)).toEqual([next.ts.toISOString()]);
    ctrl.abort();
    await reader.cancel().catch(() => {});

    const metrics = await fetch(`${address}/metrics`);
    const body = await metrics.text();
    expect(body).toMatch(/quant_http_request_duration_seconds_count\{[^}]*route="\/api\/bars",status="200"\} \d+/);
    expect(body).toContain("quant_last_bar_timestamp_seconds");
  });
});
