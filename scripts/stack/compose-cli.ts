// The docker compose client, for validating docker-compose.yml where no Docker engine runs.
// Uses `docker compose` when the machine has it; otherwise builds the compose CLI from its Go module
// once into the cache (its go.mod has exclude directives, so `go install …@v` refuses it: we build
// the downloaded module as the main module instead).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CACHE_DIR } from "./paths.ts";
import { downloadedModule, goEnv, runStep } from "./process.ts";

const COMPOSE_MODULE = "github.com/docker/compose/v2";
const COMPOSE_VERSION = "v2.40.3";
const composeBin = join(CACHE_DIR, "bin", `docker-compose-${COMPOSE_VERSION}`);

/** The command prefix that runs compose: ["docker", "compose"] or [<built binary>]. */
export async function composeCommand(): Promise<string[]> {
  const plugin = spawnSync("docker", ["compose", "version"], { stdio: "ignore" });
  if (plugin.status === 0) return ["docker", "compose"];
  if (!existsSync(composeBin)) await buildCompose();
  return [composeBin];
}

async function buildCompose(): Promise<void> {
  const env = goEnv();
  const dir = downloadedModule(COMPOSE_MODULE, COMPOSE_VERSION, "compose");
  const work = mkdtempSync(join(tmpdir(), "compose-src-"));
  try {
    cpSync(dir, work, { recursive: true });
    spawnSync("chmod", ["-R", "u+w", work]);
    mkdirSync(join(CACHE_DIR, "bin"), { recursive: true });
    await runStep(
      "compose",
      `go build ${COMPOSE_MODULE}/cmd`,
      "go",
      ["build", "-trimpath", "-ldflags=-s -w", "-o", composeBin, "./cmd"],
      {
        cwd: work,
        env,
      },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
