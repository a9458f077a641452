// What `pnpm start` runs, declared once: each pipeline service with its command and the variables the native
// runner hands it. main.ts starts the services from this table, and parity.test.ts holds it against
// docker-compose.yml (same services, same entrypoints, same variable names), so the two paths cannot drift.
import { StartError } from "./args.ts";
import { dataNamespace, type Source } from "./plan.ts";

/** How the native runner starts a service. */
export type ServiceKind =
  /** A long-running child process of `pnpm start` (own process group, log in .stack/logs/<name>.log). */
  | "daemon"
  /** Launched by Airflow tasks (the DAGs' native runner: scripts/node24 node <script>). */
  | "airflow-task"
  /** Run to completion by `pnpm start` after the DAG run. */
  | "job";

export interface NativeService {
  /** The service's name, also its compose service name (Airflow: the prefix of the compose services). */
  name: string;
  kind: ServiceKind;
  /** Repository-relative path of the program: a Node script (the image's entrypoint in compose) or a shell script. */
  script: string;
  /** Arguments of the native start (none for the services: configuration is the environment). */
  args: readonly string[];
  /** The variables the native runner sets for it, beyond the inherited environment (compose `environment` keys). */
  env: readonly string[];
  /** Airflow only: the components the command runs (compose: one service per component). */
  components?: readonly string[];
}

const LOG = ["LOG_LEVEL"] as const;
const KAFKA = ["KAFKA_BROKERS"] as const;
const MONGO = ["MONGODB_URI", "MONGODB_DB"] as const;
const S3 = ["S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET"] as const;
/** Short-lived jobs push their metrics there when it is set (compose; natively there is no Pushgateway). */
const PUSH = ["PUSHGATEWAY_URL"] as const;

export const NATIVE_SERVICES: readonly NativeService[] = [
  {
    name: "airflow",
    kind: "daemon",
    script: "scripts/airflow/standalone.sh",
    args: [],
    // The tasks inherit Airflow's environment: the scraper's and reconcile's variables go through it.
    env: [
      "AIRFLOW_ADMIN_USER",
      "AIRFLOW_ADMIN_PASSWORD",
      "PIPELINE_RUNNER",
      ...KAFKA,
      ...MONGO,
      ...S3,
      ...LOG,
      ...PUSH,
    ],
    components: ["api-server", "scheduler", "dag-processor", "triggerer"],
  },
  {
    name: "scraper",
    kind: "airflow-task",
    script: "services/scraper/src/main.ts",
    args: [],
    env: [...KAFKA, ...S3, ...LOG, ...PUSH],
  },
  {
    name: "stream-processor",
    kind: "daemon",
    script: "services/stream-processor/src/main.ts",
    args: [],
    env: [...KAFKA, ...MONGO, "STREAM_GROUP_ID", "STREAM_BULK_OPS_PER_COMMAND", ...LOG],
  },
  {
    name: "api",
    kind: "daemon",
    script: "services/api/src/main.ts",
    args: [],
    env: [...KAFKA, ...MONGO, "API_HOST", "API_PORT", ...LOG],
  },
  {
    // `pnpm start --source trades` only: the synthetic trade feed, paced.
    name: "trade-feed",
    kind: "daemon",
    script: "services/trade-feed/src/main.ts",
    args: ["synthetic"],
    env: [...KAFKA, ...LOG],
  },
  {
    name: "trade-aggregator",
    kind: "daemon",
    script: "services/trade-aggregator/src/main.ts",
    args: [],
    env: [...KAFKA, ...MONGO, "TRADES_GROUP_ID", ...LOG],
  },
  {
    name: "trade-archiver",
    kind: "daemon",
    script: "services/trade-archiver/src/main.ts",
    args: [],
    env: [...KAFKA, ...S3, ...LOG],
  },
  {
    name: "batch-processor",
    kind: "job",
    script: "services/batch-processor/src/main.ts",
    args: [],
    env: [...MONGO, ...S3, ...LOG, ...PUSH],
  },
];

/** `reconcile` runs from the batch-processor's package with its configuration (compose: `--entrypoint`). */
export const RECONCILE_SCRIPT = "services/batch-processor/src/reconcile-main.ts";
/** The cross-asset job (slopes, correlations, betas from the daily bars), from the batch-processor's package too. */
export const CROSS_ASSET_SCRIPT = "services/batch-processor/src/cross-asset-main.ts";

export function service(name: string): NativeService {
  const s = NATIVE_SERVICES.find((x) => x.name === name);
  if (!s) throw new Error(`no native service named ${name}`);
  return s;
}

/** The variables of `names` taken from `source`; unset or empty ones are left out (the service's default applies). */
export function pickEnv(names: readonly string[], source: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = source[n];
    if (v !== undefined && v !== "") out[n] = v;
  }
  return out;
}

export interface Wiring {
  ports: { airflow: number; api: number; metrics: number };
  /** The variables `pnpm start` hands its services (beyond what they inherit). */
  env: Record<string, string>;
}

/**
 * How `pnpm start` wires the services to the native servers (`servers`: their client variables): loopback-only
 * listeners, the DAGs' native runner, the source's data namespace. Throws a StartError naming a missing variable.
 */
export function nativeWiring(
  source: Source,
  servers: Record<string, string>,
  env: Record<string, string | undefined> = process.env,
): Wiring {
  const port = (name: string, def: number) => Number(env[name] || def);
  const ports = {
    airflow: port("AIRFLOW_PORT", 8080),
    api: port("API_PORT", 8000),
    metrics: port("METRICS_PORT", 9464),
  };
  if (ports.metrics === 0) throw new StartError("METRICS_PORT=0: pnpm start probes the stream processor there");
  const password = env.AIRFLOW_ADMIN_PASSWORD;
  if (!password) throw new StartError("AIRFLOW_ADMIN_PASSWORD is not set (see .env.example)");
  const data = dataNamespace(source, { db: env.MONGODB_DB || "quant", bucket: servers.S3_BUCKET ?? "quant" });
  return {
    ports,
    env: {
      ...servers,
      MONGODB_DB: data.db,
      S3_BUCKET: data.bucket,
      API_HOST: env.API_HOST || "127.0.0.1",
      API_PORT: String(ports.api),
      METRICS_PORT: String(ports.metrics),
      PIPELINE_RUNNER: "native",
      AIRFLOW_ADMIN_USER: env.AIRFLOW_ADMIN_USER || "admin",
      AIRFLOW_ADMIN_PASSWORD: password,
      AIRFLOW_PORT: String(ports.airflow),
      STREAM_GROUP_ID: env.STREAM_GROUP_ID || "stream-processor",
    },
  };
}
