// A WebSocket connection to Finnhub's trade stream that stays up: it subscribes every symbol on each (re)connect,
// replaces a connection that closed, failed or went silent (no trade and no ping for staleMs), and waits between
// attempts with exponential backoff and jitter (the delay resets once a connection has delivered a message).
// Uses the WebSocket client built into Node (>= 22); the key goes in the query string, as Finnhub requires, and is
// never logged.
import type { Logger } from "@quant/core";
import { subscribeMessage } from "./format.ts";

export interface FinnhubClientOptions {
  url: string;
  apiKey: string;
  symbols: readonly string[];
  reconnectMinMs: number;
  reconnectMaxMs: number;
  staleMs: number;
  /** Every text message, with the time it arrived (epoch ms). */
  onMessage(text: string, receivedAt: number): void;
  logger: Logger;
  /** Jitter source (tests pass a fixed one). */
  random?: () => number;
}

export interface FinnhubClientStats {
  connects: number;
  messages: number;
  /** Connections that ended other than by stop(). */
  drops: number;
}

export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  // Half fixed, half random: clients dropped together do not come back together.
  return Math.round(base / 2 + (base / 2) * random());
}

export class FinnhubClient {
  readonly stats: FinnhubClientStats = { connects: 0, messages: 0, drops: 0 };
  private readonly opts: FinnhubClientOptions;
  private readonly log: Logger;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private staleTimer: NodeJS.Timeout | null = null;

  constructor(opts: FinnhubClientOptions) {
    this.opts = opts;
    this.log = opts.logger.child({ component: "finnhub", url: opts.url });
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.staleTimer) clearTimeout(this.staleTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((r) => ws.addEventListener("close", () => r(), { once: true }));
      ws.close(1000, "stopping");
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
    }
  }

  private connect(): void {
    const url = new URL(this.opts.url);
    url.searchParams.set("token", this.opts.apiKey);
    const ws = new WebSocket(url);
    this.ws = ws;
    let delivered = false;
    ws.addEventListener("open", () => {
      this.stats.connects++;
      this.log.info({ symbols: this.opts.symbols.length, connects: this.stats.connects }, "connected; subscribing");
      for (const s of this.opts.symbols) ws.send(subscribeMessage(s));
      this.armStale(ws);
    });
    ws.addEventListener("message", (e) => {
      const receivedAt = Date.now();
      this.stats.messages++;
      if (!delivered) {
        delivered = true;
        this.attempt = 0;
      }
      this.armStale(ws);
      if (typeof e.data === "string") this.opts.onMessage(e.data, receivedAt);
      else this.log.warn("binary message ignored (Finnhub sends text)");
    });
    ws.addEventListener("error", (e) => {
      this.log.warn({ err: (e as Event & { message?: string }).message ?? "connection error" }, "connection error");
    });
    ws.addEventListener("close", (e) => this.dropped(ws, { code: e.code, reason: e.reason }));
  }

  /** A connection is over (closed, failed or silent): schedule the next one, once per connection. */
  private dropped(ws: WebSocket, why: Record<string, unknown>): void {
    if (this.ws !== ws) return;
    this.ws = null;
    if (this.staleTimer) clearTimeout(this.staleTimer);
    if (this.stopped) return;
    this.stats.drops++;
    const delay = backoffDelay(
      this.attempt++,
      this.opts.reconnectMinMs,
      this.opts.reconnectMaxMs,
      this.opts.random ?? Math.random,
    );
    this.log.warn({ ...why, retryInMs: delay, attempt: this.attempt }, "connection lost");
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private armStale(ws: WebSocket): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      // Do not wait for a closing handshake a dead peer will never answer.
      this.dropped(ws, { reason: `no message for ${this.opts.staleMs} ms` });
      ws.close(4000, "stale");
    }, this.opts.staleMs);
  }
}
