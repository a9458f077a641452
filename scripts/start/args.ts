// The command line of `pnpm start`.
import { parseArgs } from "node:util";
import { SOURCES, type Source } from "./plan.ts";

export const USAGE = "usage: pnpm start [--source replay|synthetic|yahoo]";

/** A failure `pnpm start` explains in one message (no stack trace). */
export class StartError extends Error {
  override name = "StartError";
}

export interface StartOptions {
  source: Source;
}

export function parseStartArgs(argv: readonly string[]): StartOptions | "help" {
  let values: { source?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { source: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new StartError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) return "help";
  const source = values.source ?? "replay";
  if (!(SOURCES as readonly string[]).includes(source))
    throw new StartError(`--source: expected one of ${SOURCES.join(", ")}, got "${source}"\n${USAGE}`);
  return { source: source as Source };
}
