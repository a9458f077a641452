// `pnpm bench --api URL`: times the HTTP endpoints the dashboard calls, on a running API (e.g. the one `pnpm start`
// serves on the default run's data), as a browser would ask for them: cold (the first request) and then warm runs
// within a time budget, p50/p95/p99. The request parameters come from the API's own answers (the first symbol with
// bars, its daily series, a rollup series, the yield-curve slope over the last 3 years of ^TNX), so the same
// command times any API version on any data.
import { nearestRank } from "@quant/core/bench";

export interface EndpointResult {
  name: string;
  url: string;
  runs: number;
  coldMs: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  bytes: number;
  status: number;
}

interface SymbolInfo {
  symbol: string;
  intervals: string[];
  rollups?: string[];
  scraped?: string[];
  latest: { ts: string } | null;
}

/** The dashboard's requests on first load (the page, then its data), with parameters picked from the API. */
export async function dashboardRequests(base: string): Promise<{ name: string; path: string }[]> {
  const { symbols } = (await (await fetch(`${base}/api/symbols`)).json()) as { symbols: SymbolInfo[] };
  const first = symbols.find((s) => s.latest) ?? symbols[0]!;
  const daily = first.intervals.includes("1d") ? "1d" : first.intervals.at(-1)!;
  const rollup = symbols.find((s) => s.latest && (s.rollups ?? []).includes("1h"));
  // The slope over its stored extent (the last 5 years of it at most, as the dashboard asks), else the 3 years before
  // ^TNX's latest bar (an API without cross_asset_series details).
  const details = (
    (await (await fetch(`${base}/api/cross-asset/series`)).json()) as {
      details?: { series: string; from: string; to: string }[];
    }
  ).details?.find((d) => d.series === "slope:^TNX-^IRX|1d");
  const tnx = symbols.find((s) => s.symbol === "^TNX")?.latest;
  const to = new Date(Date.parse(details?.to ?? tnx?.ts ?? new Date().toISOString()) + 86_400_000);
  const from = details
    ? new Date(Math.max(Date.parse(details.from), to.getTime() - 5 * 365 * 86_400_000))
    : new Date(to.getTime() - 3 * 365 * 86_400_000);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const q = encodeURIComponent;
  return [
    { name: "symbols", path: "/api/symbols" },
    { name: `bars ${first.symbol} ${daily}`, path: `/api/bars?symbol=${q(first.symbol)}&interval=${daily}&limit=1000` },
    ...(rollup
      ? [
          {
            name: `bars ${rollup.symbol} 1h (rollup)`,
            path: `/api/bars?symbol=${q(rollup.symbol)}&interval=1h&limit=1000`,
          },
        ]
      : []),
    { name: "cross-asset series", path: "/api/cross-asset/series" },
    {
      name: "cross-asset slope",
      path: `/api/cross-asset?series=${q("slope:^TNX-^IRX|1d")}&from=${day(from)}&to=${day(to)}`,
    },
    { name: "pipeline", path: "/api/pipeline" },
    { name: "health", path: "/api/health" },
  ];
}

export async function benchEndpoints(
  base: string,
  opts: { reps: number; budgetMs: number; say: (s: string) => void; planFrom?: string },
): Promise<EndpointResult[]> {
  const out: EndpointResult[] = [];
  // The parameters may come from another API over the same data (e.g. timing an older API version with the same URLs).
  for (const { name, path } of await dashboardRequests(opts.planFrom ?? base)) {
    opts.say(`timing ${name}: GET ${path}`);
    const one = async () => {
      const t = performance.now();
      const res = await fetch(`${base}${path}`);
      const body = await res.arrayBuffer();
      return { ms: performance.now() - t, bytes: body.byteLength, status: res.status };
    };
    const cold = await one();
    const samples: number[] = [];
    const start = performance.now();
    let last = cold;
    while (samples.length < opts.reps && (performance.now() - start < opts.budgetMs || samples.length < 5)) {
      last = await one();
      samples.push(last.ms);
    }
    samples.sort((a, b) => a - b);
    out.push({
      name,
      url: path,
      runs: samples.length,
      coldMs: cold.ms,
      p50: nearestRank(samples, 50),
      p95: nearestRank(samples, 95),
      p99: nearestRank(samples, 99),
      max: samples.at(-1) ?? Number.NaN,
      bytes: last.bytes,
      status: last.status,
    });
  }
  return out;
}
