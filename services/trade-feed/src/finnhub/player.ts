// A local WebSocket server that plays a stream in Finnhub's format (for tests): it checks the token, records each
// connection's subscriptions, and sends the scripted frames of a connection once its symbols are subscribed. A
// script may end a connection early (the client must reconnect and resubscribe) or stay silent (stale detection).
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export interface PlayedConnection {
  /** Symbols subscribed on this connection, in order. */
  subscribed: string[];
  token: string | null;
}

export interface PlayScript {
  /** Frames (text) for the n-th connection (0-based), sent in order once `waitFor` symbols are subscribed. */
  frames(connection: number): string[];
  /** What happens after the frames: close the socket (the client reconnects), or keep it open and silent. */
  after(connection: number): "close" | "hang" | "open";
  /** Subscriptions to wait for before playing. */
  waitFor: number;
  /** Pause between frames, ms (0: as fast as the socket takes them). */
  frameGapMs?: number;
}

export interface FinnhubPlayer {
  url: string;
  connections: PlayedConnection[];
  close(): Promise<void>;
}

export async function startFinnhubPlayer(script: PlayScript, token = "test-key-123"): Promise<FinnhubPlayer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => server.once("listening", () => r()));
  const connections: PlayedConnection[] = [];
  const sockets = new Set<WebSocket>();
  server.on("connection", (ws, req) => {
    const given = new URL(req.url ?? "/", "http://x").searchParams.get("token");
    const n = connections.length;
    const conn: PlayedConnection = { subscribed: [], token: given };
    connections.push(conn);
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    if (given !== token) {
      ws.close(4401, "invalid token");
      return;
    }
    let played = false;
    ws.on("message", async (data) => {
      const m = JSON.parse(String(data)) as { type: string; symbol: string };
      if (m.type === "subscribe") conn.subscribed.push(m.symbol);
      if (played || conn.subscribed.length < script.waitFor) return;
      played = true;
      for (const f of script.frames(n)) {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(f);
        if (script.frameGapMs) await new Promise((r) => setTimeout(r, script.frameGapMs));
      }
      const after = script.after(n);
      if (after === "close") ws.close(1011, "played");
      else if (after === "hang") ws.pause(); // stops reading: no close, no frames
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    connections,
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
