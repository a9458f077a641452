// The opening shared by the range commands (batch, reconcile): arguments, configuration, logger and the
// lake client. `--help` prints the usage; bad arguments exit 2 with the usage line; bad configuration exits 2 naming
// the variable.
import {
  commandLineOrExit,
  createLogger,
  createObjectStore,
  type Logger,
  loadConfigOrExit,
  type MongoHandle,
  type ObjectStore,
  s3ConfigFromEnv,
} from "@quant/core";
import { candleRules } from "@quant/trades";
import { parseRangeArgs } from "./args.ts";
import type { RangeDeps } from "./batch.ts";
import { batchEnv } from "./config.ts";
import { createProgress } from "./progress.ts";

export interface RangeCommand {
  req: ReturnType<typeof parseRangeArgs>;
  config: ReturnType<typeof loadConfigOrExit<typeof batchEnv>>;
  logger: Logger;
  store: ObjectStore;
  /** What the command's run needs, on `mongo`: the lake, the logger, the candle rules, a progress line on stderr. */
  deps(mongo: MongoHandle): RangeDeps;
}

export function openRangeCommand(name: string, loggerName: string): RangeCommand {
  const usage = `usage: ${name} (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD | --trading-day-before YYYY-MM-DD) [--asset-type equities|crypto|bonds] [--symbols A,B] [--interval 1m|5m|1d] [--json FILE]`;
  // `--help` answers with the usage and exit 0, like the scraper's (the compose image's default command).
  const req = commandLineOrExit(parseRangeArgs, usage, { usageOnError: true });
  const config = loadConfigOrExit(batchEnv);
  const logger = createLogger(loggerName, config.LOG_LEVEL);
  const store = createObjectStore(s3ConfigFromEnv(config), logger);
  return {
    req,
    config,
    logger,
    store,
    deps: (mongo) => ({
      store,
      mongo,
      logger,
      rules: candleRules(config),
      progress: (n) => createProgress(n, name),
    }),
  };
}
