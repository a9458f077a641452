// Helpers for integration tests: clients on the servers the global setup started, with names
// unique to the run so that test files never see each other's data.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { kafkaEnv, loadConfig, mongoEnv, s3Env } from "./config.ts";
import { createLogger } from "./logger.ts";

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

/** The configuration of the native servers (set by the integration global setup). */
export function testConfig() {
  return loadConfig({ ...kafkaEnv, ...mongoEnv, ...s3Env });
}

export const testLogger = createLogger("test", process.env.QUANT_TEST_LOG_LEVEL ?? "warn");

export interface RecordedPush {
  method: string;
  path: string;
  body: string;
}

/** A stand-in Pushgateway (not part of the native stack): records every request and answers 200. */
export async function startPushRecorder(): Promise<{ url: string; pushes: RecordedPush[]; close(): Promise<void> }> {
  const pushes: RecordedPush[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      pushes.push({ method: req.method ?? "", path: req.url ?? "", body });
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Runs a Node script to its end, like a CLI run: its exit code and its stdout and stderr, interleaved. */
export async function runNodeScript(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  return { code, output };
}
