// docker-compose.yml is the production path: `docker compose config` must accept it with the example
// environment, and it must carry what the design promises.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { composeCommand } from "./compose-cli.ts";
import { REPO_ROOT } from "./paths.ts";

interface ComposeService {
  image?: string;
  build?: { args?: Record<string, string> };
  ports?: { target: number; published: string; host_ip?: string }[];
  expose?: string[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | null>;
  profiles?: string[];
}

describe("docker-compose.yml", () => {
  let services: Record<string, ComposeService>;
  let compose: string[];

  beforeAll(async () => {
    compose = await composeCommand();
    const [cmd, ...pre] = compose;
    const r = spawnSync(cmd!, [...pre, "--env-file", ".env.example", "config", "--format", "yaml"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, COMPOSE_PROFILES: "" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    services = (parse(r.stdout) as { services: Record<string, ComposeService> }).services;
  }, 900_000);

  it("refuses to render without the secrets of .env", () => {
    const [cmd, ...pre] = compose;
    const empty = join(mkdtempSync(join(tmpdir(), "env-")), "empty.env");
    writeFileSync(empty, "");
    const r = spawnSync(cmd!, [...pre, "--env-file", empty, "config", "-q"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/required variable \w+ is missing a value/);
  });

  it("publishes the design's ports on the host's loopback", () => {
    const published = (name: string) => (services[name]?.ports ?? []).map((p) => `${p.published}->${p.target}`);
    expect(published("redpanda")).toContain("19092->19092");
    expect(published("redpanda-console")).toContain("8081->8080");
    expect(published("minio")).toEqual(expect.arrayContaining(["9000->9000", "9001->9001"]));
    expect(published("mongodb")).toContain("27017->27017");
    expect(published("airflow-apiserver")).toContain("8080->8080");
  });

  it("runs MongoDB 7 with authentication and healthchecks on every long-running server", () => {
    expect(services.mongodb?.image).toMatch(/^mongo:7/);
    expect(services.mongodb?.environment?.MONGO_INITDB_ROOT_USERNAME).toBeTruthy();
    for (const name of ["redpanda", "minio", "mongodb", "airflow-db", "airflow-apiserver", "airflow-scheduler"]) {
      expect(services[name]?.healthcheck, name).toBeDefined();
    }
  });

  it("starts dependants only when what they need is healthy or done", () => {
    expect(services["redpanda-init"]?.depends_on?.redpanda?.condition).toBe("service_healthy");
    expect(services["minio-init"]?.depends_on?.minio?.condition).toBe("service_healthy");
    expect(services["airflow-scheduler"]?.depends_on?.["airflow-init"]?.condition).toBe(
      "service_completed_successfully",
    );
  });

  it("wires the metrics: the stream processor's port inside the network, the jobs' Pushgateway", () => {
    expect(services["stream-processor"]?.expose).toContain("9464");
    expect(services["stream-processor"]?.ports ?? []).toEqual([]);
    for (const name of ["scraper", "batch-processor", "airflow-scheduler"]) {
      expect(services[name]?.environment?.PUSHGATEWAY_URL, name).toBe("http://pushgateway:9091");
    }
  });

  it("docker-compose.offline.yml swaps images and the two servers' commands and healthchecks, nothing of our services", () => {
    const [cmd, ...pre] = compose;
    const r = spawnSync(
      cmd!,
      [
        ...pre,
        "--env-file",
        ".env.example",
        "-f",
        "docker-compose.yml",
        "-f",
        "docker-compose.offline.yml",
        "config",
        "--format",
        "yaml",
      ],
      { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, COMPOSE_PROFILES: "" } },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const offline = (parse(r.stdout) as { services: Record<string, ComposeService> }).services;
    // Left out of the offline run (no registry carries them).
    expect(
      Object.keys(services)
        .filter((n) => !(n in offline))
        .sort(),
    ).toEqual(["grafana", "redpanda-console"]);
    const standInServers = new Set(["redpanda", "redpanda-init", "mongodb"]);
    for (const [name, real] of Object.entries(services)) {
      const swapped = offline[name];
      if (!swapped) continue;
      const allowed = new Set([
        "image",
        "pull_policy",
        ...(standInServers.has(name) ? ["command", "healthcheck"] : []),
      ]);
      const rest = (s: ComposeService) =>
        Object.fromEntries(Object.entries(s).filter(([k]) => !allowed.has(k) && k !== "build"));
      expect(rest(swapped), name).toEqual(rest(real));
      if (real.build)
        expect(swapped.build?.args, name).toEqual({ ...real.build.args, NODE_IMAGE: "quant-offline/node:24" });
      if (real.image?.startsWith("quant-pipeline/")) {
        // Our images (built here, or reused like mongo-indexes') keep their names.
        expect(swapped.image, name).toBe(real.image);
      } else {
        expect(swapped.image, name).toMatch(/^quant-offline\//);
      }
    }
  });
});
