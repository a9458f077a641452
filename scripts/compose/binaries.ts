// Binaries the stand-in images copy from the host, built once into the cache like the native servers' (scripts/stack):
// FerretDB's own `ferretdb` command (the native stack embeds FerretDB instead, but only the command offers SCRAM
// authentication) and MinIO's client `mc`, each from its Go module.
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CACHE_DIR } from "../stack/paths.ts";
import { goBuild, goEnv, inModuleCopy, runStep } from "../stack/process.ts";
import { FERRETDB_VERSION } from "../stack/servers.ts";

const FERRETDB_MODULE = "github.com/FerretDB/FerretDB";
// mc has no semver tags; the newest version the module proxy serves (2025-03-13).
const MC_VERSION = "v0.0.0-20250313080218-cf909e1063a9";

export const ferretdbBin = join(CACHE_DIR, "bin", `ferretdb-${FERRETDB_VERSION}`);
export const mcBin = join(CACHE_DIR, "bin", `mc-${MC_VERSION}`);

/**
 * `go build ./cmd/ferretdb` of the downloaded module, as the main module. Its build/version package panics without
 * version.txt, which the module zip lacks (git describe writes it in FerretDB's own builds): written here.
 */
export async function ensureFerretdb(): Promise<string> {
  if (existsSync(ferretdbBin)) return ferretdbBin;
  await inModuleCopy(FERRETDB_MODULE, `v${FERRETDB_VERSION}`, "ferretdb", async (work) => {
    writeFileSync(join(work, "build", "version", "version.txt"), `v${FERRETDB_VERSION}\n`);
    writeFileSync(join(work, "build", "version", "package.txt"), "quant-pipeline\n");
    await buildInto(ferretdbBin, (out) =>
      goBuild("ferretdb", `go build ${FERRETDB_MODULE}/cmd/ferretdb (Go module proxy)`, work, "./cmd/ferretdb", out),
    );
  });
  return ferretdbBin;
}

export async function ensureMc(): Promise<string> {
  if (existsSync(mcBin)) return mcBin;
  const gobin = mkdtempSync(join(tmpdir(), "mc-bin-"));
  try {
    await runStep(
      "mc",
      `go install github.com/minio/mc@${MC_VERSION} (Go module proxy)`,
      "go",
      ["install", "-trimpath", "-ldflags=-s -w", `github.com/minio/mc@${MC_VERSION}`],
      {
        env: { ...goEnv(), GOBIN: gobin },
      },
    );
    await buildInto(mcBin, async (out) => renameOrCopy(join(gobin, "mc"), out));
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  return mcBin;
}

/** Builds to a temporary name beside `target`, then renames: a concurrent or killed build never leaves half a file. */
async function buildInto(target: string, build: (out: string) => Promise<void>): Promise<void> {
  mkdirSync(join(target, ".."), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  try {
    await build(partial);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
}

function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    cpSync(from, to);
  }
}
