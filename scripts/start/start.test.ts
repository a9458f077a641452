// The pieces of `pnpm start` that need no server: arguments, the DAG conf against the DAG's own params, the summary
// (parsing the jobs' lines, the table), and child processes (process groups, stop, stray-process detection).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../stack/paths.ts";
import { isAlive, markedProcesses, readRecord, spawnSupervised, stopSupervised } from "../stack/process.ts";
import { describeTasks } from "./airflow-client.ts";
import { parseStartArgs } from "./args.ts";
import { DAG_ID, dagConf, dataNamespace, jobRanges, rangeArgs, rangeLabel } from "./plan.ts";
import { formatSummary, readJobResult, type Summary } from "./summary.ts";

describe("pnpm start arguments", () => {
  it("defaults to the replay source and accepts synthetic and yahoo", () => {
    expect(parseStartArgs([])).toEqual({ source: "replay" });
    expect(parseStartArgs(["--source", "synthetic"])).toEqual({ source: "synthetic" });
    expect(parseStartArgs(["--source=yahoo"])).toEqual({ source: "yahoo" });
    expect(parseStartArgs(["--help"])).toBe("help");
  });
  it("refuses an unknown source or flag, naming it", () => {
    expect(() => parseStartArgs(["--source", "csv"])).toThrow(/--source: expected one of replay, synthetic, yahoo/);
    expect(() => parseStartArgs(["--nope"])).toThrow(/--nope/);
  });
});

describe("the DAG run and the ranges checked afterwards", () => {
  const dagFile = readFileSync(join(REPO_ROOT, "airflow", "dags", `${DAG_ID}.py`), "utf8");
  const params = new Map(
    [...dagFile.matchAll(/"(\w+)": (?:date_param|interval_param|symbols_param)\("([^"]+)"/g)].map((m) => [
      m[1]!,
      m[2]!,
    ]),
  );

  it("the conf names only params of the DAG, and replay uses the DAG's own default ranges", () => {
    const conf = dagConf("replay", jobRanges("replay"));
    expect(conf.source).toBe("replay");
    for (const [k, v] of Object.entries(conf)) {
      if (k === "source") continue;
      expect(params.has(k), `${k} is not a param of ${DAG_ID}`).toBe(true);
      expect(v, k).toBe(params.get(k));
    }
    // Every range param of the DAG is set, so batch/reconcile cover exactly what was scraped.
    expect(
      Object.keys(conf)
        .filter((k) => k !== "source")
        .sort(),
    ).toEqual([...params.keys()].sort());
  });

  it("yahoo asks for recent days (1m bars only exist for the last week)", () => {
    const now = Date.parse("2026-11-21T12:00:00Z");
    const ranges = jobRanges("yahoo", now);
    expect(ranges.find((r) => r.interval === "1m")).toMatchObject({ from: "2026-11-20", to: "2026-11-21" });
    expect(rangeArgs(ranges[0]!)).toEqual([
      "--from",
      "2026-10-22",
      "--to",
      "2026-11-21",
      "--asset-type",
      "equities",
      "--interval",
      "1d",
    ]);
    expect(rangeLabel(ranges[0]!)).toBe("equities 1d 2026-10-22..2026-11-21");
  });

  it("synthetic data gets its own database and bucket; recorded and real data share the configured ones", () => {
    const base = { db: "quant", bucket: "quant" };
    expect(dataNamespace("synthetic", base)).toEqual({ db: "quant_synthetic", bucket: "quant-synthetic" });
    expect(dataNamespace("replay", base)).toEqual(base);
    expect(dataNamespace("yahoo", base)).toEqual(base);
  });

  it("task progress reads as done / running / failed", () => {
    expect(
      describeTasks([
        { task_id: "scrape.crypto", state: "success", try_number: 1 },
        { task_id: "scrape.bonds", state: "running", try_number: 1 },
        { task_id: "scrape.equities_eod", state: "failed", try_number: 2 },
        { task_id: "scraped", state: null, try_number: 0 },
      ]),
    ).toBe("1/4 tasks done, running: scrape.bonds, failed: scrape.equities_eod");
  });
});

describe("summary", () => {
  const dir = mkdtempSync(join(tmpdir(), "start-summary-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("reads the JSON results of reconcile and batch, and a failed job's last log line", () => {
    const rec = readJobResult(
      "reconcile",
      "equities 1d",
      1,
      file("r.json", JSON.stringify({ series: 10, compared: 490, differences: 1, sample: [] })),
      "-",
    );
    expect(rec).toMatchObject({ series: 10, documents: 490, count: 1, exitCode: 1, error: null });
    const batch = readJobResult(
      "batch",
      "bonds 1d",
      0,
      file("b.json", JSON.stringify({ series: 4, documents: 196, rollups: 0, inserted: 0, unchanged: 196 })),
      "-",
    );
    expect(batch).toMatchObject({ series: 4, documents: 196, count: 0 });
    const log = file("reconcile.log", "starting\nreconcile failed: MongoDB: connection refused\n");
    const failed = readJobResult("reconcile", "crypto 1d", 1, join(dir, "missing.json"), log);
    expect(failed).toMatchObject({ count: null, error: "exit 1: reconcile failed: MongoDB: connection refused" });
  });

  it("lists topics, collections, dead letters, differences and the URLs", () => {
    const s: Summary = {
      source: "replay",
      runId: "manual__2026-11-21",
      kafka: {
        ok: true,
        group: "stream-processor",
        at: "2026-11-21T00:00:00Z",
        topics: [
          { topic: "equities_ticks", retained: 9094, high: 9094, perSecond: null, lag: 0 },
          { topic: "dead_letters", retained: 2, high: 2, perSecond: null, lag: null },
        ],
        deadLetters: 2,
        totalLag: 0,
      },
      collections: [
        { name: "bars_daily", documents: 1234 },
        { name: "indicator_state", documents: 30 },
      ],
      data: { db: "quant", bucket: "quant" },
      reconcile: [{ label: "equities 1d", exitCode: 0, error: null, series: 10, documents: 490, count: 0 }],
      batch: [{ label: "equities 1d", exitCode: 0, error: null, series: 10, documents: 490, count: 0 }],
      crossAsset: { label: "2012-01-03..2013-03-01", documents: 5_120, error: null },
      design: {
        rollups: { "5m": 576, "1h": 48, "1d": 1 },
        crossAsset: [
          { series: "slope:^TNX-^IRX|1d", kind: "slope", source: "synthetic" },
          { series: "beta:AAPL/^GSPC|1d", kind: "beta", source: "replay" },
        ],
        sma200Warm: ["AAPL", "MSFT", "^GSPC"],
        provenance: { replay: ["AAPL 1d", "MSFT 1d"], synthetic: ["^TNX 1d"] },
      },
      urls: {
        dashboard: "http://127.0.0.1:8000/",
        airflow: "http://127.0.0.1:8080/",
        airflowUser: "admin",
        objectStore: { url: "http://127.0.0.1:9001/", served: true, note: "object browser only" },
      },
      elapsedMs: 95_000,
      dashboardReadyMs: 90_000,
    };
    const text = formatSummary(s).join("\n");
    expect(text).toMatch(
      /pipeline ready in 95\.0 s \(source replay, run manual__2026-11-21\); dashboard serving the bars after 90\.0 s/,
    );
    expect(text).toMatch(/equities_ticks\s+9,094\s+9,094\s+0/);
    expect(text).toMatch(/dead letters: 2/);
    expect(text).toMatch(/MongoDB database quant \(documents per collection; lake bucket quant\)/);
    expect(text).toMatch(/bars_daily\s+1,234/);
    expect(text).toMatch(/0 difference\(s\)/);
    expect(text).toMatch(/cross-asset job \(2012-01-03\.\.2013-03-01\): 5,120 documents written/);
    expect(text).toMatch(/rollups \(bars_rollup\): 5m 576, 1h 48, 1d 1/);
    expect(text).toMatch(/cross-asset series \(cross_asset\): 2 \(1 slope, 1 beta; 1 from generated inputs\)/);
    expect(text).toMatch(/SMA200 warm on 3 daily series: AAPL, MSFT, \^GSPC/);
    expect(text).toMatch(/synthetic \(generated, badged on the dashboard\): \^TNX 1d/);
    expect(text).toMatch(/dashboard\s+http:\/\/127\.0\.0\.1:8000\//);
    expect(text).toMatch(/Airflow UI\s+http:\/\/127\.0\.0\.1:8080\/ {2}\(login admin/);
    expect(text).toMatch(/object store\s+http:\/\/127\.0\.0\.1:9001\/ {2}\(MinIO console: object browser only/);
  });
});

describe("child processes", () => {
  const name = `test-child-${process.pid}`;

  it("stops a child's whole process group, removes its pid record, and finds strays by marker", async () => {
    const marker = `t-${Date.now().toString(36)}`;
    // A shell with a grandchild in its group, and one that escapes it with setsid (found only by the marker).
    const child = spawnSupervised({
      name,
      cmd: "bash",
      args: ["-c", "sleep 300 & setsid sleep 301 & wait"],
      owner: process.pid,
      marker,
    });
    const expected = ["bash -c sleep 300 & setsid sleep 301 & wait", "sleep 300", "sleep 301"];
    const commands = () =>
      markedProcesses(marker)
        .map((p) => p.command)
        .sort();
    // Poll until the processes have exec'd into their final commands (setsid briefly shows as itself).
    const deadline = Date.now() + 10_000;
    while (JSON.stringify(commands()) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(commands()).toEqual(expected);
    expect(readRecord(name)).toMatchObject({ pid: child.record.pid, owner: process.pid, marker });
    // A missing record's pid (0) names no process: kill(0) would have answered for our own group.
    expect([isAlive(0), isAlive(-1), isAlive(process.pid)]).toEqual([false, false, true]);

    await stopSupervised(child.record, 5_000);
    expect(isAlive(child.record.pid)).toBe(false);
    expect(readRecord(name)).toBeNull();
    // The escaped one is left: exactly what the final check of `pnpm start` finds and kills.
    const strays = markedProcesses(marker);
    expect(strays.map((p) => p.command)).toEqual(["sleep 301"]);
    for (const p of strays) process.kill(p.pid, "SIGKILL");
    while (markedProcesses(marker).length > 0) await new Promise((r) => setTimeout(r, 50));
    // By marker, not by a global `ps` grep: another run of this test may have its own `sleep 301` meanwhile.
    expect(markedProcesses(marker)).toEqual([]);
  }, 30_000);
});
