// The canonical queries of the API, written once: `indexes --analyze` explains them, the API runs them.
import type { Db, Document, FindCursor } from "mongodb";
import type { Interval } from "../domain/market.ts";
import { barsCollection, COLLECTIONS, crossAssetCollection, INDEX_SPECS } from "./layout.ts";

export interface CanonicalQueryArgs {
  symbol: string;
  interval: Interval;
  from: Date;
  to: Date;
  /** Trading date of the movers query. */
  date: string;
  /** Cross-asset series of the slope query, e.g. `slope:^TNX-^IRX|1d`. */
  series: string;
}

export interface CanonicalQuery {
  name: "latestBar" | "lastBars" | "dateRange" | "yieldCurveSlope" | "topMovers";
  collection: string;
  cursor(db: Db, a: CanonicalQueryArgs): FindCursor<Document>;
}

export const CANONICAL_QUERIES: readonly CanonicalQuery[] = [
  {
    name: "latestBar",
    collection: COLLECTIONS.barsDaily,
    cursor: (db, a) =>
      barsCollection(db, a.interval).find({ symbol: a.symbol, interval: a.interval }).sort({ ts: -1 }).limit(1),
  },
  {
    name: "lastBars",
    collection: COLLECTIONS.barsDaily,
    cursor: (db, a) =>
      barsCollection(db, a.interval).find({ symbol: a.symbol, interval: a.interval }).sort({ ts: -1 }).limit(500),
  },
  {
    name: "dateRange",
    collection: COLLECTIONS.barsDaily,
    cursor: (db, a) =>
      barsCollection(db, a.interval)
        .find({ symbol: a.symbol, interval: a.interval, ts: { $gte: a.from, $lt: a.to } })
        .sort({ ts: 1 }),
  },
  {
    name: "yieldCurveSlope",
    collection: COLLECTIONS.crossAsset,
    cursor: (db, a) =>
      crossAssetCollection(db)
        .find({ series: a.series, ts: { $gte: a.from, $lt: a.to } })
        .sort({ ts: 1 }),
  },
  {
    name: "topMovers",
    collection: COLLECTIONS.barsDaily,
    cursor: (db, a) =>
      barsCollection(db, "1d")
        .find({ tradingDate: a.date, logReturn: { $ne: null } })
        .sort({ logReturn: -1 })
        .limit(10),
  },
];

export interface PlanAnalysis {
  server: "mongodb" | "ferretdb";
  /** Index names the plan uses (MongoDB: IXSCAN stages; FerretDB: SQLite `USING INDEX` lines). */
  indexes: string[];
  /** True when the plan reads the whole collection (COLLSCAN / SQLite SCAN without index). */
  collectionScan: boolean;
  /** The plan's lines, as the server gave them, for the report. */
  summary: string[];
}

/** Reads an explain document in whichever shape the server gives (MongoDB queryPlanner, or FerretDB's SQLite plan). */
export function analyzeExplain(explain: Document): PlanAnalysis {
  const qp = (explain.queryPlanner ?? {}) as Document;
  if (Array.isArray(qp.Plan) || "ferretdbVersion" in ((explain.serverInfo ?? {}) as Document)) {
    const lines = (Array.isArray(qp.Plan) ? qp.Plan : []).map(String);
    const indexes = lines.flatMap((l) => /USING (?:COVERING )?INDEX (\S+)/.exec(l)?.[1] ?? []);
    const pushdown = ["filterPushdown", "sortPushdown", "limitPushdown"].map((k) => `${k}=${String(explain[k])}`);
    return {
      server: "ferretdb",
      indexes,
      collectionScan: lines.some((l) => /\bSCAN\b/.test(l) && !/USING/.test(l)),
      summary: [...lines, pushdown.join(" ")],
    };
  }
  const indexes: string[] = [];
  const stages: string[] = [];
  let collectionScan = false;
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    const n = node as Document;
    if (typeof n.stage === "string") {
      stages.push(n.indexName ? `${n.stage}(${n.indexName})` : n.stage);
      if (n.stage === "COLLSCAN") collectionScan = true;
      if (typeof n.indexName === "string") indexes.push(n.indexName);
    }
    for (const v of Object.values(n)) if (v && typeof v === "object") walk(v);
  };
  walk(qp.winningPlan);
  return { server: "mongodb", indexes, collectionScan, summary: [stages.join(" <- ")] };
}

/** The index each canonical query is expected to use. */
export function expectedIndexOf(query: CanonicalQuery["name"]): string | undefined {
  return INDEX_SPECS.find((s) => s.serves.includes(query))?.name;
}
