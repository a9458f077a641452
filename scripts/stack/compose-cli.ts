// The docker compose client, for validating docker-compose.yml where no Docker engine runs.
// Uses `docker compose` when the machine has it; otherwise builds the compose CLI from its Go module
// once into the cache (its go.mod has exclude directives, so `go install …@v` refuses it: we build
// the downloaded module as the main module instead).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR } from "./paths.ts";
import { goBuild, inModuleCopy } from "./process.ts";

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
  await inModuleCopy(COMPOSE_MODULE, COMPOSE_VERSION, "compose", async (work) => {
    mkdirSync(join(CACHE_DIR, "bin"), { recursive: true });
    await goBuild("compose", `go build ${COMPOSE_MODULE}/cmd`, work, "./cmd", composeBin);
  });
}
