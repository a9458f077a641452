// The one shutdown helper, on real processes and real signals: a clean stop exits with stop()'s code, a stop that
// fails or outlasts its timeout exits 1, and a second signal exits 130 without waiting.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnNodeScript } from "./testing.ts";

const dir = mkdtempSync(join(tmpdir(), "shutdown-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A process that says "ready", then waits for signals; its stop() takes `stopMs` and resolves to `code`. */
function child(stopMs: number, code: string, timeoutMs?: number) {
  const script = join(dir, `child-${stopMs}-${code}-${timeoutMs}.ts`);
  writeFileSync(
    script,
    `import { createLogger } from ${JSON.stringify(join(import.meta.dirname, "logger.ts"))};
import { onShutdown } from ${JSON.stringify(join(import.meta.dirname, "shutdown.ts"))};
const logger = createLogger("child", "info");
onShutdown({ logger, timeoutMs: ${timeoutMs}, stop: async () => {
  await new Promise((r) => setTimeout(r, ${stopMs}));
  process.stdout.write("stop finished\\n");
  return ${code};
} });
setInterval(() => {}, 1000);
process.stdout.write("ready\\n");
`,
  );
  return spawnNodeScript(script, process.env);
}

/** Until the child says "ready" (its handlers are installed by then): a signal sent earlier would kill it outright. */
async function ready(c: ReturnType<typeof child>): Promise<void> {
  for (let i = 0; i < 800 && !c.output().includes("ready"); i++) await new Promise((r) => setTimeout(r, 25));
  if (!c.output().includes("ready")) throw new Error(`the child never said ready in 20 s: ${c.output()}`);
}

// Each test starts Node processes: on a loaded 2-core machine (the whole unit run beside them) a start alone can take
// seconds, so these tests get more than the default 5 s.
const SPAWNING = { timeout: 60_000 };

describe("onShutdown", SPAWNING, () => {
  it("SIGTERM: stop() finishes, then the process exits with its code (0 when it returns none)", async () => {
    const a = child(100, "undefined");
    await ready(a);
    a.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(a.output()).toContain("stop finished");
    const b = child(0, "130");
    await ready(b);
    b.child.kill("SIGINT");
    expect(await b.exited).toBe(130);
  });

  it("a second signal exits 130 at once; a stop past its timeout exits 1", async () => {
    const slow = child(10_000, "0");
    await ready(slow);
    slow.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    slow.child.kill("SIGTERM");
    expect(await slow.exited).toBe(130);
    expect(slow.output()).not.toContain("stop finished");
    const stalled = child(10_000, "0", 200);
    await ready(stalled);
    stalled.child.kill("SIGTERM");
    expect(await stalled.exited).toBe(1);
    expect(stalled.output()).toContain("shutdown timed out");
  });
});

/** A service main through runUntilSignal whose start takes `startMs`, then fails (`fail`) or runs. */
function service(startMs: number, fail: boolean) {
  const script = join(dir, `service-${startMs}-${fail}.ts`);
  writeFileSync(
    script,
    `import { createLogger } from ${JSON.stringify(join(import.meta.dirname, "logger.ts"))};
import { runUntilSignal } from ${JSON.stringify(join(import.meta.dirname, "shutdown.ts"))};
const logger = createLogger("child", "info");
process.stdout.write("ready\\n");
await runUntilSignal({ name: "test service", logger, timeoutMs: 5_000, start: async () => {
  await new Promise((r) => setTimeout(r, ${startMs}));
  if (${fail}) throw new Error("no broker");
  const keep = setInterval(() => {}, 1000);
  process.stdout.write("started\\n");
  return { stop: async () => { clearInterval(keep); process.stdout.write("stop finished\\n"); } };
} });
`,
  );
  return spawnNodeScript(script, process.env);
}

describe("runUntilSignal", SPAWNING, () => {
  it("a failed start exits 1 with one line naming the service and the error", async () => {
    const s = service(0, true);
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/test service failed to start.*no broker|no broker.*test service failed to start/);
  });

  it("a signal during the start stops the service once it has started, exit 0", async () => {
    const s = service(500, false);
    await ready(s);
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain("started");
    expect(s.output()).toContain("stop finished");
  });
});
