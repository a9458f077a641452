// Replay of recorded Yahoo responses through yahoo-finance2's custom `fetch` option.
//
// Matching rule (docs/ingestion.md): a chart request is served the recording with the same path
// (symbol) and `interval` whose [period1, period2] overlaps the requested window the most; ties go to
// the narrower recording, then to the file name. Real recordings come first: a generated one (response header
// `x-generated-by`, provenance `synthetic`) is served only when no real one overlaps the window. The scraper then keeps only bars inside the requested
// window. `events`, `includePrePost` and the other query parameters are not matched on. Hand-made
// `.fake.json` recordings are left out. No overlapping recording: a Yahoo-style 404 "No data found".
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Recording {
  file: string;
  path: string;
  symbol: string;
  interval: string;
  period1: number;
  period2: number;
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
  /** `synthetic` for a generated recording (response header x-generated-by), else `replay` (real data). */
  provenance: "replay" | "synthetic";
}

interface RecordedExchange {
  request?: { url?: string };
  response?: {
    status?: number;
    statusText?: string;
    headers?: Record<string, string | string[]>;
    bodyJson?: unknown;
    bodyText?: string;
    body?: string;
  };
}

const CHART_PATH = /^\/v8\/finance\/chart\/([^/]+)$/;

/** Reads one recording (current or legacy format); null when it is not a chart exchange. */
export function parseRecording(file: string, text: string): Recording | null {
  const rec = JSON.parse(text) as RecordedExchange;
  const url = rec.request?.url;
  if (!url || !rec.response) return null;
  const u = new URL(url);
  const m = CHART_PATH.exec(u.pathname);
  if (!m) return null;
  const r = rec.response;
  const body = r.bodyJson !== undefined ? JSON.stringify(r.bodyJson) : (r.bodyText ?? r.body ?? "");
  const headers: [string, string][] = [];
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    // The stored body is already decoded: wire-transfer headers would lie about it.
    if (/^(content-encoding|content-length|transfer-encoding)$/i.test(k)) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.push([k, one]);
  }
  return {
    file,
    path: u.pathname,
    symbol: decodeURIComponent(m[1] ?? ""),
    interval: u.searchParams.get("interval") ?? "1d",
    period1: Number(u.searchParams.get("period1") ?? 0) * 1000,
    period2: Number(u.searchParams.get("period2") ?? 0) * 1000,
    status: r.status ?? 200,
    statusText: r.statusText ?? "OK",
    headers,
    body,
    provenance: headers.some(([k]) => k.toLowerCase() === "x-generated-by") ? "synthetic" : "replay",
  };
}

/** Every chart recording under the given directories (missing directories are skipped). */
export function loadRecordings(dirs: readonly string[]): Recording[] {
  const out: Recording[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".json") && !name.endsWith(".fake.json")) {
        const rec = parseRecording(full, readFileSync(full, "utf8"));
        if (rec) out.push(rec);
      }
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

export interface ChartQuery {
  symbol: string;
  interval: string;
  period1: number;
  period2: number;
}

export function parseChartUrl(url: string): ChartQuery | null {
  const u = new URL(url);
  const m = CHART_PATH.exec(u.pathname);
  if (!m) return null;
  return {
    symbol: decodeURIComponent(m[1] ?? ""),
    interval: u.searchParams.get("interval") ?? "1d",
    period1: Number(u.searchParams.get("period1") ?? 0) * 1000,
    period2: Number(u.searchParams.get("period2") ?? Date.now() / 1000) * 1000,
  };
}

/** The recording served for a chart query (see the rule at the top), or undefined. */
export function matchRecording(recordings: readonly Recording[], q: ChartQuery): Recording | undefined {
  return bestOverlap(recordings, q, "replay") ?? bestOverlap(recordings, q, "synthetic");
}

function bestOverlap(
  recordings: readonly Recording[],
  q: ChartQuery,
  provenance: Recording["provenance"],
): Recording | undefined {
  let best: { rec: Recording; overlap: number; width: number } | undefined;
  for (const rec of recordings) {
    if (rec.provenance !== provenance) continue;
    if (rec.symbol !== q.symbol || rec.interval !== q.interval) continue;
    // A recording includes the bar at its period2 (Yahoo does, for crypto), hence the +1 ms.
    const overlap = Math.min(rec.period2 + 1, q.period2) - Math.max(rec.period1, q.period1);
    if (overlap <= 0) continue;
    const width = rec.period2 - rec.period1;
    if (!best || overlap > best.overlap || (overlap === best.overlap && width < best.width))
      best = { rec, overlap, width };
  }
  return best?.rec;
}

function notFound(q: ChartQuery | null, url: string): Response {
  const description = q
    ? `No data found: no recording of ${q.symbol} ${q.interval} overlaps ${new Date(q.period1).toISOString()}..${new Date(q.period2).toISOString()}`
    : `No recording for ${url}`;
  return new Response(JSON.stringify({ chart: { result: null, error: { code: "Not Found", description } } }), {
    status: 404,
    statusText: "Not Found",
    headers: { "content-type": "application/json;charset=utf-8" },
  });
}

export function recordingResponse(rec: Recording): Response {
  const headers = new Headers();
  for (const [k, v] of rec.headers) headers.append(k, v);
  return new Response(rec.body, { status: rec.status, statusText: rec.statusText, headers });
}

/** A fetch serving recordings; never touches the network. */
export function createReplayFetch(recordings: readonly Recording[]): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0]) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const q = parseChartUrl(url);
    const rec = q ? matchRecording(recordings, q) : undefined;
    return rec ? recordingResponse(rec) : notFound(q, url);
  }) as typeof fetch;
}
