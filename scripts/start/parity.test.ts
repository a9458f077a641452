// docker-compose.yml versus the native runner of `pnpm start` (scripts/start/services.ts): the same pipeline
// services, started with the same program, configured through the same variable names, each of which the
// service's zod configuration shape knows. No servers: the files are parsed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { apiEnv } from "@quant/api";
import { batchEnv } from "@quant/batch-processor";
import { scraperEnv } from "@quant/scraper";
import { streamEnv } from "@quant/stream-processor";
import { aggregatorEnv } from "@quant/trade-aggregator";
import { archiverEnv } from "@quant/trade-archiver";
import { feedEnv } from "@quant/trade-feed";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../stack/paths.ts";
import { NATIVE_SERVICES, RECONCILE_SCRIPT, service } from "./services.ts";

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> } | string;
  entrypoint?: string | string[];
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  profiles?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** The zod configuration shape of each TypeScript service: the variables it reads. */
const CONFIG_SHAPES: Record<string, Record<string, { safeParse(v: unknown): { success: boolean } }>> = {
  scraper: scraperEnv,
  "stream-processor": streamEnv,
  api: apiEnv,
  "batch-processor": batchEnv,
  "trade-feed": feedEnv,
  "trade-aggregator": aggregatorEnv,
  "trade-archiver": archiverEnv,
};

/**
 * Native services compose does not have yet. Each entry must still be missing from compose (a test checks it), so
 * adding the service to compose fails that test until the entry is removed here, and then every check applies.
 */
const PENDING_IN_COMPOSE: Record<string, string> = {};

const envKeys = (s: ComposeService): string[] =>
  Array.isArray(s.environment) ? s.environment.map((e) => e.split("=")[0]!) : Object.keys(s.environment ?? {});

const words = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The program a compose service runs: its entrypoint (compose, else the Dockerfile's ENTRYPOINT, where services/
 * Dockerfile's `main.ts` is the link it makes to services/$SERVICE/src/main.ts).
 */
function composeProgram(s: ComposeService): string[] {
  if (s.entrypoint !== undefined) return words(s.entrypoint);
  if (typeof s.build !== "object" || !s.build.dockerfile) return [];
  const dockerfile = readFileSync(join(REPO_ROOT, s.build.context ?? ".", s.build.dockerfile), "utf8");
  const lines = dockerfile.split("\n").filter((l) => /^ENTRYPOINT\s/.test(l));
  const last = lines.at(-1);
  const program = last ? (JSON.parse(last.replace(/^ENTRYPOINT\s+/, "")) as string[]) : [];
  const service = s.build.args?.SERVICE;
  // (the Dockerfile's own ${SERVICE}, not a template placeholder)
  const link = dockerfile.includes(`ln -s "services/\${SERVICE}/src/main.ts" main.ts`);
  return program.map((w) => (w === "main.ts" && service && link ? `services/${service}/src/main.ts` : w));
}

/** Compose services that run pipeline code: our images (built here), and Airflow's components. */
const composePipeline = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
const composeAirflow = Object.entries(compose.services).filter(([name]) => name.startsWith("airflow-"));
const inBoth = NATIVE_SERVICES.filter((s) => s.name !== "airflow" && compose.services[s.name] !== undefined);

const required = (shape: Record<string, { safeParse(v: unknown): { success: boolean } }>) =>
  Object.keys(shape).filter((k) => !shape[k]!.safeParse(undefined).success);

describe("docker compose and `pnpm start` run the same pipeline", () => {
  it("the same set of services (compose: the services built from this repository, plus Airflow)", () => {
    const native = NATIVE_SERVICES.map((s) => s.name)
      .filter((n) => !(n in PENDING_IN_COMPOSE))
      .sort();
    const composed = [...composePipeline.map(([n]) => n), ...(composeAirflow.length > 0 ? ["airflow"] : [])].sort();
    expect(composed).toEqual(native);
  });

  it("services still pending in compose are really missing there (remove the entry once compose has them)", () => {
    for (const name of Object.keys(PENDING_IN_COMPOSE)) {
      expect(NATIVE_SERVICES.map((s) => s.name)).toContain(name);
      expect(compose.services[name], `compose has ${name} now: delete it from PENDING_IN_COMPOSE`).toBeUndefined();
    }
  });

  it.each(inBoth.map((s) => [s.name, s] as const))("%s: the image's entrypoint is the native program", (_, s) => {
    const program = composeProgram(compose.services[s.name]!);
    expect(program).toEqual(["node", s.script]);
    expect(existsSync(join(REPO_ROOT, s.script))).toBe(true);
  });

  it.each(inBoth.map((s) => [s.name, s] as const))("%s: the same variable names, all known to its config", (_, s) => {
    const composed = envKeys(compose.services[s.name]!).sort();
    expect(composed).toEqual([...s.env].sort());
    const shape = CONFIG_SHAPES[s.name];
    expect(shape, `no config shape registered for ${s.name}`).toBeDefined();
    const known = Object.keys(shape!);
    expect(s.env.filter((v) => !known.includes(v))).toEqual([]);
    // Every variable without a default is set by both paths.
    expect(required(shape!).filter((v) => !s.env.includes(v))).toEqual([]);
  });

  it("every native service with a config shape sets only variables its shape knows (pending ones too)", () => {
    for (const s of NATIVE_SERVICES) {
      const shape = CONFIG_SHAPES[s.name];
      if (!shape) continue;
      expect(
        s.env.filter((v) => !(v in shape)),
        s.name,
      ).toEqual([]);
      expect(
        required(shape).filter((v) => !s.env.includes(v)),
        s.name,
      ).toEqual([]);
      expect(existsSync(join(REPO_ROOT, s.script)), s.script).toBe(true);
    }
  });

  it("airflow: compose runs the same components as `airflow standalone`, and they see the same variables", () => {
    const airflow = service("airflow");
    const components = composeAirflow
      .map(([, s]) => words(s.command).join(" "))
      .flatMap((c) => airflow.components!.filter((comp) => new RegExp(`(^|\\s)(airflow\\s+)?${comp}$`).test(c)));
    expect(components.sort()).toEqual([...airflow.components!].sort());
    const composeVars = new Set(composeAirflow.flatMap(([, s]) => envKeys(s)));
    expect(airflow.env.filter((v) => !composeVars.has(v))).toEqual([]);
    // The DAG tasks launch the scraper with Airflow's environment: it must carry the scraper's variables.
    expect(service("scraper").env.filter((v) => !airflow.env.includes(v))).toEqual([]);
    expect(service("scraper").env.filter((v) => !composeVars.has(v))).toEqual([]);
    expect(existsSync(join(REPO_ROOT, airflow.script))).toBe(true);
  });

  it("the docker runner of the DAGs hands the scraper container every scraper variable Airflow gets", () => {
    const tasks = readFileSync(join(REPO_ROOT, "airflow", "dags", "pipeline_tasks.py"), "utf8");
    const tuple = (name: string) =>
      [...(new RegExp(`^${name} = \\(([^)]*)\\)`, "m").exec(tasks)?.[1] ?? "").matchAll(/"([A-Z0-9_]+)"/g)].map(
        (m) => m[1]!,
      );
    const passed = new Set([...tuple("PASSED_ENV"), ...tuple("SECRET_ENV")]);
    expect(passed.size).toBeGreaterThan(0);
    expect(service("scraper").env.filter((v) => !passed.has(v))).toEqual([]);
  });

  it("the DAGs' reconcile task gets every batch-processor variable, natively and in its container", () => {
    const tasks = readFileSync(join(REPO_ROOT, "airflow", "dags", "pipeline_tasks.py"), "utf8");
    const cli = /^RECONCILE = Cli\(([\s\S]*?)^\)/m.exec(tasks)?.[1] ?? "";
    const handed = new Set([...cli.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]!));
    const batch = service("batch-processor").env;
    expect(batch.filter((v) => !handed.has(v))).toEqual([]);
    expect(batch.filter((v) => !service("airflow").env.includes(v))).toEqual([]);
    const composeVars = new Set(composeAirflow.flatMap(([, s]) => envKeys(s)));
    expect(batch.filter((v) => !composeVars.has(v))).toEqual([]);
    expect(tasks).toContain(`"${RECONCILE_SCRIPT.split("/").join('", "')}"`);
  });

  it("reconcile runs from the batch-processor image with the batch-processor's configuration", () => {
    expect(existsSync(join(REPO_ROOT, RECONCILE_SCRIPT))).toBe(true);
    const dockerfile = readFileSync(join(REPO_ROOT, "services", "Dockerfile"), "utf8");
    const build = compose.services["batch-processor"]!.build;
    // The image carries the whole service source, so `--entrypoint node … reconcile-main.ts` works.
    expect(typeof build === "object" && build.args?.SERVICE).toBe("batch-processor");
    expect(dockerfile).toContain(`COPY services/\${SERVICE} services/\${SERVICE}`);
  });
});
