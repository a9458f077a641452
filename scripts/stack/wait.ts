// The one deadline/poll loop of the native scripts: ask `probe` until it returns a value, `failIf` names a reason to
// give up (a process that exited), or the time is up.
import { setTimeout as sleep } from "node:timers/promises";
import { StackError } from "./process.ts";

export interface WaitOptions {
  /** What is awaited, for the timeout message ("kafka answers", "Airflow healthy"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each probe: a message ends the wait with that error. */
  failIf?: () => string | null;
  /** Appended to the timeout message (e.g. "see .stack/logs/kafka.log"). */
  hint?: string;
}

/** Polls until `probe` returns something other than undefined/false/null; throws a StackError on timeout. */
export async function waitUntil<T>(probe: () => Promise<T | undefined | null | false>, o: WaitOptions): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const failure = o.failIf?.();
    if (failure) throw new StackError(failure);
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline)
      throw new StackError(`${o.what}: not within ${o.timeoutMs / 1000} s${o.hint ? `; ${o.hint}` : ""}`);
    await sleep(o.intervalMs ?? 500);
  }
}

/** Whether a URL answers 2xx within `timeoutMs` (a health endpoint, for waitUntil). */
export async function answersOk(url: string, timeoutMs = 5_000): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).ok;
  } catch {
    return false;
  }
}
