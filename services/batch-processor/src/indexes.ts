// The index manager: verify that the expected indexes exist, explain the canonical queries, add the intraday TTL.
import {
  analyzeExplain,
  barsCollection,
  CANONICAL_QUERIES,
  type CanonicalQueryArgs,
  epochMsToDate,
  expectedIndexOf,
  INDEX_SPECS,
  type MongoHandle,
  setIntradayTtl,
} from "@quant/core";

export const INDEX_EXIT = { ok: 0, failed: 1, usage: 2, ttlUnsupported: 3 } as const;

export interface VerifyResult {
  missing: string[];
  mismatched: string[];
}

export async function verifyIndexes(mongo: MongoHandle): Promise<VerifyResult> {
  const result: VerifyResult = { missing: [], mismatched: [] };
  for (const spec of INDEX_SPECS) {
    const existing = (
      await mongo.db
        .collection(spec.collection)
        .indexes()
        .catch(() => [])
    ).find((i) => i.name === spec.name);
    const label = `${spec.collection}.${spec.name}`;
    if (!existing) result.missing.push(label);
    else if (
      JSON.stringify(existing.key) !== JSON.stringify(spec.key) ||
      Boolean(existing.unique) !== Boolean(spec.options.unique)
    )
      result.mismatched.push(label);
  }
  return result;
}

export interface QueryAnalysis {
  query: string;
  server: "mongodb" | "ferretdb";
  expected: string | undefined;
  used: string[];
  collectionScan: boolean;
  /** MongoDB: the expected index is used. FerretDB (SQLite planner, no pushdown for these filters): not judged. */
  ok: boolean;
  summary: string[];
}

/** Arguments for the canonical queries, taken from the data when there is some. */
async function sampleArgs(mongo: MongoHandle): Promise<CanonicalQueryArgs> {
  const latest = await barsCollection(mongo.db, "1d").find({}).sort({ ts: -1 }).limit(1).next();
  const to = latest?.ts ?? new Date();
  return {
    symbol: latest?.symbol ?? "AAPL",
    interval: "1d",
    from: new Date(to.getTime() - 365 * 86_400_000),
    to,
    // The API's default API_MAX_BARS.
    limit: 5_000,
    date: latest?.tradingDate ?? epochMsToDate(to.getTime()),
    series: "slope:^TNX-^IRX|1d",
  };
}

export async function analyzeQueries(mongo: MongoHandle): Promise<QueryAnalysis[]> {
  const args = await sampleArgs(mongo);
  const out: QueryAnalysis[] = [];
  for (const q of CANONICAL_QUERIES) {
    const plan = analyzeExplain(await q.cursor(mongo.db, args).explain("queryPlanner"));
    const expected = expectedIndexOf(q.name);
    out.push({
      query: q.name,
      server: plan.server,
      expected,
      used: plan.indexes,
      collectionScan: plan.collectionScan,
      ok:
        plan.server === "ferretdb" || (expected !== undefined ? plan.indexes.includes(expected) : q.scan !== undefined),
      summary: plan.summary,
    });
  }
  return out;
}

export type TtlOutcome = { ok: true; change: "created" | "updated" | "unchanged" } | { ok: false; reason: string };

export async function addIntradayTtl(mongo: MongoHandle, ttlDays: number): Promise<TtlOutcome> {
  if ((await mongo.health()).ferretdb)
    return {
      ok: false,
      reason:
        "FerretDB v1 has no TTL indexes (expireAfterSeconds is not implemented): intraday bars are kept. Use MongoDB 7 (docker compose) for retention, or delete old intraday bars with a scheduled job.",
    };
  return { ok: true, change: await setIntradayTtl(mongo.db, ttlDays) };
}
