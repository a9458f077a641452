// Preloaded by the native service commands of package.json (`node --import ./scripts/local-env.ts …`): fills the
// environment from .env, the native stack's client settings and .env.example (scripts/stack/env.ts), so that
// `pnpm stream`, `pnpm batch`, … work after `pnpm stack up` without exporting anything. A bad STACK_*_PORT stops the
// command with one line naming the variable, like any other configuration error.
import { ConfigError } from "@quant/core";
import { loadLocalEnv } from "./stack/env.ts";

try {
  loadLocalEnv();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
