// Which Yahoo failures are worth another try, and the backoff (exponential, with jitter).
import pRetry from "p-retry";

export interface RetryOptions {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  onRetry?: (info: { attempt: number; delayMs: number; error: Error }) => void;
}

/** HTTP status of a yahoo-finance2 HTTPError (it puts the status in `code`). */
export function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** 429 (rate limited), 5xx, 401 and crumb errors (Yahoo's session expired), and network failures. */
export function isRetryable(err: unknown): boolean {
  const status = httpStatus(err);
  if (status !== undefined) return status === 429 || status === 401 || status >= 500;
  const msg = String((err as Error)?.message ?? err);
  return /crumb|unauthorized|too many requests|fetch failed|ECONNRESET|ETIMEDOUT|socket hang up/i.test(msg);
}

export function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  return pRetry(fn, {
    retries: opts.retries,
    factor: 2,
    minTimeout: opts.minTimeoutMs,
    maxTimeout: opts.maxTimeoutMs,
    randomize: true,
    shouldRetry: ({ error }) => isRetryable(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft, retryDelay }) => {
      if (retriesLeft > 0 && isRetryable(error)) opts.onRetry?.({ attempt: attemptNumber, delayMs: retryDelay, error });
    },
  });
}
