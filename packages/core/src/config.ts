// Configuration from the environment: one zod object per service, built from the shared parts below.
// A bad or missing value stops the process at start with one line naming the variable.
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

/** Downloads and builds shared by every clone of the machine: QUANT_CACHE_DIR, else ~/.cache/quant-pipeline. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.QUANT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "quant-pipeline");
}

/** An integer variable within [min, max] (numbers come from the environment as strings). */
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A comma-separated list of host:port pairs, e.g. "127.0.0.1:9092,127.0.0.1:9093". */
const hostPortList = z
  .string()
  .trim()
  .min(1, "expected a comma-separated list of host:port")
  .transform((s, ctx) => {
    const parts = s.split(",").map((p) => p.trim());
    for (const p of parts) {
      const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(p);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
        ctx.addIssue({ code: "custom", message: `expected host:port, got "${p}"` });
        return z.NEVER;
      }
    }
    return parts;
  });

/** "true"/"false"/"1"/"0" as a boolean, for flag variables. */
export const booleanFlag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const logEnv = {
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

export const kafkaEnv = {
  KAFKA_BROKERS: hostPortList.default(["127.0.0.1:9092"]),
  KAFKA_CLIENT_ID: z.string().min(1).default("quant-pipeline"),
};

export const mongoEnv = {
  // No default: a service that writes must be told where.
  MONGODB_URI: z
    .string({ error: "expected a mongodb:// or mongodb+srv:// URI, got nothing" })
    .regex(/^mongodb(\+srv)?:\/\/.+/, "expected a mongodb:// or mongodb+srv:// URI"),
  MONGODB_DB: z.string().min(1).default("quant"),
};

export const s3Env = {
  S3_ENDPOINT: z.url({ error: "expected a URL such as http://127.0.0.1:9000" }).default("http://127.0.0.1:9000"),
  S3_ACCESS_KEY: z.string().min(3, "expected at least 3 characters"),
  S3_SECRET_KEY: z.string().min(8, "expected at least 8 characters"),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name")
    .default("quant"),
  S3_REGION: z.string().default("us-east-1"),
};

/** Long-running services without an HTTP server of their own serve /metrics here (startMetricsServer). */
export const metricsServerEnv = {
  /** 0: any free port (tests, several processes on one host). */
  METRICS_PORT: envInt(0, 65_535).default(9464),
};

/** Short-lived jobs push their metrics to a Prometheus Pushgateway when they end, if this is set (pushMetrics). */
export const pushgatewayEnv = {
  PUSHGATEWAY_URL: z.url({ error: "expected a URL such as http://pushgateway:9091" }).optional(),
};

export type ConfigShape = z.ZodRawShape;

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`invalid configuration: ${variable}: ${message}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** Parses `env` against `shape`; throws a ConfigError naming the first bad variable. */
export function loadConfig<S extends ConfigShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  // Empty strings count as unset, as in docker compose files with `VAR=`.
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const v = env[key];
    if (v !== undefined && v !== "") cleaned[key] = v;
  }
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? "?");
    const given = cleaned[variable];
    const message = issue?.message ?? "invalid";
    throw new ConfigError(
      variable,
      given === undefined || message.includes(given) ? message : `${message} (got "${given}")`,
    );
  }
  return result.data;
}

/** For a service's main: parse or print one line and exit non-zero. */
export function loadConfigOrExit<S extends ConfigShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  try {
    return loadConfig(shape, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
