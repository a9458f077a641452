// main's exit codes for bad configuration and arguments: one stderr line naming the culprit.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const MAIN = resolve(import.meta.dirname, "main.ts");

function runMain(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", S3_ACCESS_KEY: "quantminio", S3_SECRET_KEY: "change-me-minio", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: r.status, stderrLines: r.stderr.split("\n").filter((l) => l.trim() !== "") };
}

describe("scraper main", () => {
  it("exits non-zero with one stderr line naming KAFKA_BROKERS when it is nonsense", () => {
    const r = runMain(["equities-eod", "--source", "synthetic"], { KAFKA_BROKERS: "nonsense" });
    expect(r.status).toBe(2);
    expect(r.stderrLines).toHaveLength(1);
    expect(r.stderrLines[0]).toMatch(/KAFKA_BROKERS/);
  });

  it("exits 2 with one line naming the flag on a bad argument", () => {
    const r = runMain(["equities-eod", "--interval", "3m"], {});
    expect(r.status).toBe(2);
    expect(r.stderrLines).toEqual([expect.stringMatching(/--interval/)]);
  });
});
