// Graceful shutdown, written once for every process that runs until stopped: the first SIGTERM/SIGINT runs `stop`
// (finish the work in flight, close the clients) and exits with the code it returns (0 by default), or 1 when it
// fails or outlasts `timeoutMs`; a second signal exits 130 at once.
import type { Logger } from "./logger.ts";

export interface ShutdownOptions {
  logger: Logger;
  /** Finishes the work in flight and closes the clients; a number it resolves to is the exit code (default 0). */
  stop(signal: NodeJS.Signals): Promise<unknown>;
  /** A stop that takes longer exits 1 (a stalled write or broker must not hold the process hostage); none: no limit. */
  timeoutMs?: number;
}

export interface Shutdown {
  /** Aborted at the first signal: long loops check it, or pass it on. */
  readonly signal: AbortSignal;
}

export function onShutdown(opts: ShutdownOptions): Shutdown {
  const { logger } = opts;
  const requested = new AbortController();
  const handle = (signal: NodeJS.Signals): void => {
    if (requested.signal.aborted) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(130);
    }
    requested.abort(signal);
    logger.info({ signal }, "stopping: finishing the work in flight");
    if (opts.timeoutMs !== undefined)
      setTimeout(() => {
        logger.error({ timeoutMs: opts.timeoutMs }, "shutdown timed out: exiting");
        process.exit(1);
      }, opts.timeoutMs).unref();
    opts.stop(signal).then(
      (code) => {
        logger.info({ signal }, "stopped");
        process.exit(typeof code === "number" ? code : 0);
      },
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
  return { signal: requested.signal };
}

/**
 * A long-running service's main, written once: starts it, stops it on the first signal (onShutdown, also during the
 * start: the stop then waits for it), and exits 1 with one line when the start fails.
 */
export async function runUntilSignal(opts: {
  /** What the log line calls it, e.g. "stream processor". */
  name: string;
  logger: Logger;
  timeoutMs: number;
  start(): Promise<{ stop(): Promise<unknown> }>;
}): Promise<void> {
  const started = opts.start();
  onShutdown({ logger: opts.logger, timeoutMs: opts.timeoutMs, stop: async () => (await started).stop() });
  try {
    await started;
  } catch (err) {
    opts.logger.error({ err: (err as Error).message }, `${opts.name} failed to start`);
    process.exit(1);
  }
}
