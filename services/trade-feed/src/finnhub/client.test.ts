// The reconnecting client against a local WebSocket server that plays Finnhub's format (player.ts).
import { createLogger } from "@quant/core";
import { afterEach, describe, expect, it } from "vitest";
import { backoffDelay, FinnhubClient } from "./client.ts";
import { type FinnhubPlayer, startFinnhubPlayer } from "./player.ts";

const logger = createLogger("test", "silent");
const frame = (n: number) =>
  JSON.stringify({ type: "trade", data: [{ s: "AAPL", p: 100 + n, t: 1_704_207_600_000 + n, v: 1 }] });

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("Finnhub WebSocket client", () => {
  let player: FinnhubPlayer | undefined;
  let client: FinnhubClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await player?.close();
  });

  function connect(
    url: string,
    received: string[],
    over: Partial<ConstructorParameters<typeof FinnhubClient>[0]> = {},
  ) {
    client = new FinnhubClient({
      url,
      apiKey: "test-key-123",
      symbols: ["AAPL", "MSFT", "BINANCE:BTCUSDT"],
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      staleMs: 5_000,
      onMessage: (text) => received.push(text),
      logger,
      random: () => 0.5,
      ...over,
    });
    client.start();
    return client;
  }

  it("subscribes every symbol, and after a dropped connection reconnects, resubscribes and goes on", async () => {
    player = await startFinnhubPlayer({
      waitFor: 3,
      frames: (c) => [0, 1, 2].map((i) => frame(c * 10 + i)),
      after: (c) => (c < 2 ? "close" : "open"),
    });
    const received: string[] = [];
    const c = connect(player.url, received);
    await until(() => received.length === 9, "three connections' frames");
    expect(received).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22].map(frame));
    expect(player.connections.map((x) => x.subscribed)).toEqual(Array(3).fill(["AAPL", "MSFT", "BINANCE:BTCUSDT"]));
    expect(player.connections.every((x) => x.token === "test-key-123")).toBe(true);
    expect(c.stats).toMatchObject({ connects: 3, drops: 2, messages: 9 });
  });

  it("replaces a connection that goes silent", async () => {
    player = await startFinnhubPlayer({
      waitFor: 3,
      frames: (c) => [frame(c)],
      after: (c) => (c === 0 ? "hang" : "open"),
    });
    const received: string[] = [];
    connect(player.url, received, { staleMs: 300 });
    await until(() => received.length === 2, "the second connection's frame");
    expect(player.connections).toHaveLength(2);
    expect(player.connections[1]!.subscribed).toHaveLength(3);
  });

  it("keeps retrying a refused connection with growing delays, and stop() ends it for good", async () => {
    player = await startFinnhubPlayer({ waitFor: 1, frames: () => [], after: () => "open" }, "another-key-456");
    const c = connect(player.url, []);
    // The server sees a connection before the client's open event counts it: wait for both to agree.
    await until(
      () => player!.connections.length >= 4 && c.stats.connects === player!.connections.length,
      "four attempts",
    );
    await c.stop();
    const attempts = player.connections.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(player.connections.length).toBe(attempts);
    expect(c.stats.connects).toBe(attempts);
    expect(c.stats.messages).toBe(0);
  });

  it("backs off exponentially with jitter, up to the maximum", () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 1_000, 60_000, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000, 30_000,
    ]);
    expect(backoffDelay(3, 1_000, 60_000, () => 1)).toBe(8_000);
    expect(backoffDelay(50, 1_000, 60_000, () => 1)).toBe(60_000);
  });
});
