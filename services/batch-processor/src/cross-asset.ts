// The cross-asset job: yield-curve slopes (^TNX-^IRX, ^TYX-^FVX), rolling crypto/benchmark return correlation and
// equity beta against a benchmark, from the enriched daily bars in MongoDB into `cross_asset`, with the indicators
// package's pair metrics (batch form alignedBatch = the streaming Aligned wrapper). Series are joined by trading
// date (crypto bars open at 00:00 UTC, equities at the session open), and computed from each pair's origin so a
// date range gives the same values as a full run.
import {
  type BarSource,
  barsCollection,
  type CrossAssetDocument,
  type CrossAssetKind,
  crossAssetCollection,
  crossAssetSeries,
  dateToEpochMs,
  type MongoHandle,
  readCrossAssetSeries,
  recordCrossAssetSeries,
  upsertCrossAsset,
} from "@quant/core";
import { alignedBatch, Beta, type PairMetric, ReturnCorrelation, Spread } from "@quant/indicators";

export interface CrossAssetRequest {
  from: string;
  to: string;
  /** Benchmark of correlation and beta, e.g. ^GSPC or SPY. */
  benchmark: string;
  correlationPeriod: number;
  betaPeriod: number;
}

export const YIELD_CURVE_SLOPES: readonly (readonly [string, string])[] = [
  ["^TNX", "^IRX"],
  ["^TYX", "^FVX"],
];

interface DailySeries {
  ts: Float64Array;
  close: Float64Array;
  /** `synthetic` when any bar of the series is generated, else the provenance of its bars. */
  source: BarSource;
}

/** The provenance of values computed from two series: generated data in either makes them synthetic. */
export function combinedSource(a: BarSource, b: BarSource): BarSource {
  return a === "synthetic" || b === "synthetic" ? "synthetic" : a;
}

async function dailyCloses(mongo: MongoHandle, symbol: string, to: string): Promise<DailySeries> {
  const docs = await barsCollection(mongo.db, "1d")
    .find(
      { symbol, interval: "1d", tradingDate: { $lte: to } },
      { projection: { tradingDate: 1, close: 1, source: 1 } },
    )
    .sort({ ts: 1 })
    .toArray();
  const sources = new Set(docs.map((d) => d.source));
  return {
    ts: Float64Array.from(docs, (d) => dateToEpochMs(d.tradingDate)),
    close: Float64Array.from(docs, (d) => d.close),
    source: sources.has("synthetic") ? "synthetic" : (docs[0]?.source ?? "replay"),
  };
}

function pairDocuments(
  kind: CrossAssetKind,
  a: string,
  b: string,
  metric: PairMetric,
  sa: DailySeries,
  sb: DailySeries,
  req: CrossAssetRequest,
  processedTs: Date,
): CrossAssetDocument[] {
  const out = alignedBatch(metric, sa.ts, sa.close, sb.ts, sb.close);
  const series = crossAssetSeries(kind, a, b, "1d");
  const source = combinedSource(sa.source, sb.source);
  const from = dateToEpochMs(req.from);
  const to = dateToEpochMs(req.to);
  const docs: CrossAssetDocument[] = [];
  for (let i = 0; i < out.ts.length; i++) {
    const t = out.ts[i]!;
    if (t < from || t > to) continue;
    const v = out.values[i]!;
    const ts = new Date(t);
    docs.push({
      _id: `${series}|${ts.toISOString()}`,
      series,
      kind,
      interval: "1d",
      a,
      b,
      ts,
      value: Number.isFinite(v) ? v : null,
      source,
      processedTs,
    });
  }
  return docs;
}

export interface CrossAssetSummary {
  series: string[];
  documents: number;
}

export async function runCrossAsset(mongo: MongoHandle, req: CrossAssetRequest): Promise<CrossAssetSummary> {
  const processedTs = new Date();
  const summary: CrossAssetSummary = { series: [], documents: 0 };
  const closes = new Map<string, DailySeries>();
  const get = async (s: string) => {
    let c = closes.get(s);
    if (!c) closes.set(s, (c = await dailyCloses(mongo, s, req.to)));
    return c;
  };
  const markers = new Map((await readCrossAssetSeries(mongo.db)).map((m) => [m._id, m]));
  const write = async (kind: CrossAssetKind, a: string, b: string, metric: PairMetric) => {
    const [sa, sb] = [await get(a), await get(b)];
    if (sa.ts.length === 0 || sb.ts.length === 0) return;
    const docs = pairDocuments(kind, a, b, metric, sa, sb, req, processedTs);
    if (docs.length === 0) return;
    await upsertCrossAsset(crossAssetCollection(mongo.db), docs);
    const series = crossAssetSeries(kind, a, b, "1d");
    // The series' extent: this run's points merged with what earlier runs recorded (other date ranges).
    const prev = markers.get(series);
    const first = docs[0]!.ts;
    const last = docs.at(-1)!.ts;
    await recordCrossAssetSeries(mongo.db, [
      {
        _id: series,
        kind,
        interval: "1d",
        a,
        b,
        from: prev && prev.from < first ? prev.from : first,
        to: prev && prev.to > last ? prev.to : last,
        source: docs[0]!.source ?? "replay",
        processedTs,
      },
    ]);
    summary.series.push(series);
    summary.documents += docs.length;
  };
  for (const [long, short] of YIELD_CURVE_SLOPES) await write("slope", long, short, new Spread());
  const daily = barsCollection(mongo.db, "1d");
  const crypto = (await daily.distinct("symbol", { assetClass: "crypto", interval: "1d" })) as string[];
  const equities = (await daily.distinct("symbol", { assetClass: "equity", interval: "1d" })) as string[];
  for (const s of crypto.sort())
    await write("correlation", s, req.benchmark, new ReturnCorrelation(req.correlationPeriod));
  for (const s of equities.sort())
    if (s !== req.benchmark) await write("beta", s, req.benchmark, new Beta(req.betaPeriod));
  return summary;
}
