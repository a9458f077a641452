import { join, resolve } from "node:path";
import { defaultCacheDir } from "@quant/core";

/** The repository root (scripts/stack/../..). */
export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");

/** Downloads and builds, shared by every clone on this machine (git-ignored by living outside the tree). */
export const CACHE_DIR = defaultCacheDir();

/** Runtime state of this clone's servers: data, logs, pids (git-ignored). */
export const STACK_DIR = process.env.QUANT_STACK_DIR ?? join(REPO_ROOT, ".stack");

export const stackPaths = {
  data: (name: string) => join(STACK_DIR, "data", name),
  log: (name: string) => join(STACK_DIR, "logs", `${name}.log`),
  installLog: (name: string) => join(STACK_DIR, "logs", `install-${name}.log`),
  pid: (name: string) => join(STACK_DIR, "run", `${name}.json`),
  conf: (name: string) => join(STACK_DIR, "conf", name),
};
