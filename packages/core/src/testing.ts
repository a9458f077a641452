// Helpers for integration tests: clients on the servers the global setup started, with names
// unique to the run so that test files never see each other's data.
import { randomBytes } from "node:crypto";
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
