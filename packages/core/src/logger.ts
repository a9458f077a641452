import { type Logger, pino } from "pino";

export type { Logger };

/** The root logger of a process (JSON lines on stdout); components take `logger.child({ component })`. */
export function createLogger(name: string, level = "info"): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
