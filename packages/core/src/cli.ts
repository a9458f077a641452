// The command lines of the pipeline's CLIs (scrape, trade-feed, batch, reconcile, quality): one error for a bad
// argument, one way to read flags, dates and symbol lists, one way for a main to answer --help and a bad command
// line, so every CLI does it alike.
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";

/** A bad command line: names the flag; main prints it on one line and exits 2. */
export class UsageError extends Error {
  readonly flag: string;
  constructor(flag: string, message: string) {
    super(`invalid argument: ${flag}: ${message}`);
    this.name = "UsageError";
    this.flag = flag;
  }
}

/**
 * Positionals and flags of `argv` (strict: an unknown flag is an error). An error of node's parser becomes a
 * UsageError naming the flag, with the first line of node's message, then `; usage` when given.
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: O,
  usage?: string,
) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (err) {
    const msg = (err as Error).message;
    const flag = /'(--?[\w-]+)/.exec(msg)?.[1] ?? "arguments";
    const firstLine = msg.split("\n")[0]!;
    throw new UsageError(flag, usage === undefined ? firstLine : `${firstLine}; ${usage}`);
  }
}

/** A YYYY-MM-DD flag value (a real calendar date), or a UsageError naming the flag. */
export function dateFlag(flag: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new UsageError(flag, `expected YYYY-MM-DD, got "${value}"`);
  return value;
}

/** A --symbols value: comma-separated, trimmed (upper-cased with `upperCase`), each once; a UsageError if empty. */
export function parseSymbolList(value: string, opts: { upperCase?: boolean } = {}): string[] {
  const list = [
    ...new Set(
      value
        .split(",")
        .map((s) => (opts.upperCase ? s.trim().toUpperCase() : s.trim()))
        .filter(Boolean),
    ),
  ];
  if (list.length === 0) throw new UsageError("--symbols", "expected a comma-separated list of symbols");
  const bad = list.find((s) => s.length > 32 || /[\s/|]/.test(s));
  if (bad !== undefined) throw new UsageError("--symbols", `not a symbol: "${bad}"`);
  return list;
}

/**
 * What `parse` makes of the process's arguments, or the end of the process: with --help or -h the usage is printed
 * (exit 0); a UsageError is printed on stderr, followed by the usage with `usageOnError` (exit 2).
 */
export function commandLineOrExit<T>(
  parse: (argv: readonly string[]) => T,
  usage: string,
  opts: { usageOnError?: boolean } = {},
): T {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parse(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(opts.usageOnError ? `${err.message}\n${usage}\n` : `${err.message}\n`);
    process.exit(2);
  }
}
