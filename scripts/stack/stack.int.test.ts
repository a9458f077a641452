import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./paths.ts";

const cli = join(REPO_ROOT, "scripts", "stack", "cli.ts");

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}

describe("pnpm stack", () => {
  let squatter: Server;
  let squatterPort = 0;
  const stackDir = mkdtempSync(join(tmpdir(), "stack-"));

  beforeAll(async () => {
    squatter = createServer(() => {});
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    squatterPort = (squatter.address() as { port: number }).port;
  });
  afterAll(() => {
    squatter.close();
    rmSync(stackDir, { recursive: true, force: true });
  });

  it("status lists every server with version, port and pid once the stack is up", () => {
    const r = runCli(["status"]);
    expect(r.status).toBe(0);
    // Its Kafka check goes through kafkajs, patched so that Node >= 22 prints no TimeoutNegativeWarning.
    expect(r.stderr).not.toMatch(/Warning/);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^server\s+product\s+version\s+port\s+pid\s+state/);
    for (const [name, version] of [
      ["kafka", "4.1.1"],
      ["mongo", "1.24.2"],
      ["s3", "v0.0.0-"],
    ] as const) {
      const row = lines.find((l) => l.startsWith(`${name} `));
      expect(row, name).toMatch(new RegExp(`${version.replaceAll(".", "\\.")}\\S*\\s+\\d+\\s+\\d+\\s+up`));
    }
  });

  it("up is idempotent: a second up finds the servers already running", () => {
    const r = runCli(["up"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/kafka already running \(pid \d+, port \d+\)/);
    expect(r.stderr).toMatch(/mongo already running/);
    expect(r.stderr).toMatch(/s3 already running/);
  });

  it("names the server and the port when a foreign process holds it, and starts nothing", () => {
    const r = runCli(["up"], { QUANT_STACK_DIR: stackDir, STACK_KAFKA_PORT: String(squatterPort) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `stack: kafka: port ${squatterPort} is taken by a process this stack did not start; stop it or set STACK_KAFKA_PORT`,
    );
    // `down` in that directory has nothing of its own to stop and leaves the squatter alone.
    const down = runCli(["down"], { QUANT_STACK_DIR: stackDir });
    expect(down.status).toBe(0);
    expect(squatter.listening).toBe(true);
  });

  describe("the service commands of package.json, with nothing exported", () => {
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    // A newcomer's shell: none of the client variables the test workers were given.
    const bare = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(KAFKA_|MONGODB_|S3_|QUANT_TEST)/.test(k)),
    );
    const run = (script: string, args: string, env: Record<string, string> = {}) =>
      spawnSync("sh", ["-c", `${scripts[script]} ${args}`], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...bare, ...env },
        timeout: 120_000,
      });

    it("find the native servers through .env / .env.example and the stack's ports", () => {
      const r = run("batch", "--date 1999-01-04 --asset-type bonds");
      expect(r.stderr).not.toContain("invalid configuration");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^batch 1999-01-04\.\.1999-01-04: 0 series, 0 documents/m);
    });

    it("stop at start with one line naming a bad stack port", () => {
      const r = run("reconcile", "--date 1999-01-04", { STACK_MONGO_PORT: "mongo" });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/^invalid configuration: STACK_MONGO_PORT: /),
      ]);
    });
  });

  it("reset deletes the servers' data of its stack directory only", () => {
    const dir = mkdtempSync(join(tmpdir(), "stack-reset-"));
    for (const name of ["kafka", "mongo", "s3"]) mkdirSync(join(dir, "data", name, "x"), { recursive: true });
    mkdirSync(join(dir, "logs"));
    const r = runCli(["reset"], { QUANT_STACK_DIR: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("stack: data of kafka, mongo, s3 deleted");
    expect(readdirSync(join(dir, "data"))).toEqual([]);
    expect(existsSync(join(dir, "logs"))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it("rejects a bad port setting with one line naming the variable", () => {
    const r = runCli(["status"], { STACK_MONGO_PORT: "70000" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^stack: invalid configuration: STACK_MONGO_PORT: /);
  });
});
