// The command line:
//   trade-feed synthetic [--rate N] [--steady] [--symbols A,B] [--asset-class crypto|equity] [--duration S]
//                        [--seed N] [--chaos late=R,out-of-order=R,duplicate=R,corrupt=R] [--lateness-ms N]
//                        [--pace realtime|none] [--start ISO]
//   trade-feed finnhub [--symbols A,B]
import { parseCommandLine, parseSymbolList, type TradeAssetClass, UsageError } from "@quant/core";
import { type ChaosRates, NO_CHAOS, parseChaos } from "@quant/trades";
import { FINNHUB_MAX_SYMBOLS } from "./config.ts";

export const USAGE =
  "usage: trade-feed synthetic [--rate N] [--steady] [--symbols A,B] [--asset-class crypto|equity] [--duration SECONDS] " +
  "[--seed N] [--chaos late=R,out-of-order=R,duplicate=R,corrupt=R] [--lateness-ms N] [--pace realtime|none] " +
  "[--start ISO-8601]\n       trade-feed finnhub [--symbols A,B]";

/** Generated symbols carry a SYN- prefix: they never pass for a real instrument, nor land on a real series. */
export const DEFAULT_SYNTHETIC_SYMBOLS = ["SYN-BTC", "SYN-ETH", "SYN-SOL", "SYN-ADA", "SYN-XRP"];

export interface SyntheticRequest {
  source: "synthetic";
  rate: number;
  /** A plain Poisson process at the rate, without bursts. */
  steady: boolean;
  symbols: string[];
  assetClass: TradeAssetClass;
  /** Seconds of event time; null: until stopped. */
  durationSeconds: number | null;
  seed: number | null;
  chaos: ChaosRates;
  latenessMs: number;
  /** realtime: trades at the wall clock's pace (event time = now); none: as fast as Kafka takes them. */
  pace: "realtime" | "none";
  /** Event time of the first trade (default: now, or now - duration without pacing). */
  start: number | null;
}

export interface FinnhubRequest {
  source: "finnhub";
  /** Replaces FINNHUB_SYMBOLS when given. */
  symbols: string[] | null;
}

export type FeedRequest = SyntheticRequest | FinnhubRequest;

const symbols = (value: string | undefined): string[] | null => (value === undefined ? null : parseSymbolList(value));

function positive(flag: string, value: string | undefined, integer = false): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(flag, `expected a ${integer ? "positive integer" : "positive number"}, got "${value}"`);
  return n;
}

const OPTIONS = {
  rate: { type: "string" },
  steady: { type: "boolean" },
  symbols: { type: "string" },
  "asset-class": { type: "string" },
  duration: { type: "string" },
  seed: { type: "string" },
  chaos: { type: "string" },
  "lateness-ms": { type: "string" },
  pace: { type: "string" },
  start: { type: "string" },
} as const;

export function parseFeedArgs(argv: readonly string[]): FeedRequest {
  const { values: v, positionals } = parseCommandLine(argv, OPTIONS);
  const [source, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError("<source>", `unexpected extra argument "${extra[0]}"`);
  if (source === "finnhub") {
    const synthOnly = [
      "rate",
      "steady",
      "asset-class",
      "duration",
      "seed",
      "chaos",
      "lateness-ms",
      "pace",
      "start",
    ].find((f) => v[f as keyof typeof v] !== undefined);
    if (synthOnly) throw new UsageError(`--${synthOnly}`, "only for the synthetic source");
    const list = symbols(v.symbols);
    if (list && list.length > FINNHUB_MAX_SYMBOLS)
      throw new UsageError(
        "--symbols",
        `Finnhub streams at most ${FINNHUB_MAX_SYMBOLS} symbols per connection, got ${list.length}`,
      );
    return { source, symbols: list };
  }
  if (source !== "synthetic") throw new UsageError("<source>", `expected synthetic or finnhub, got "${source ?? ""}"`);
  const assetClass = v["asset-class"] ?? "crypto";
  if (assetClass !== "crypto" && assetClass !== "equity")
    throw new UsageError("--asset-class", `expected crypto or equity, got "${assetClass}"`);
  const pace = v.pace ?? "realtime";
  if (pace !== "realtime" && pace !== "none")
    throw new UsageError("--pace", `expected realtime or none, got "${pace}"`);
  let chaos = NO_CHAOS;
  try {
    if (v.chaos !== undefined) chaos = parseChaos(v.chaos);
  } catch (err) {
    throw new UsageError("--chaos", (err as Error).message.replace(/^chaos: /, ""));
  }
  let start: number | null = null;
  if (v.start !== undefined) {
    start = Date.parse(v.start);
    if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(v.start) || Number.isNaN(start))
      throw new UsageError("--start", `expected an ISO-8601 UTC time such as 2024-01-02T00:00:00Z, got "${v.start}"`);
  }
  const durationSeconds = positive("--duration", v.duration);
  if (pace === "none" && durationSeconds === null)
    throw new UsageError("--pace", "none needs --duration (without pacing, event time would run into the future)");
  const seed = v.seed === undefined ? null : Number(v.seed);
  if (seed !== null && !Number.isInteger(seed)) throw new UsageError("--seed", `expected an integer, got "${v.seed}"`);
  return {
    source,
    rate: positive("--rate", v.rate) ?? 1_000,
    steady: v.steady ?? false,
    symbols: symbols(v.symbols) ?? DEFAULT_SYNTHETIC_SYMBOLS,
    assetClass,
    durationSeconds,
    seed,
    chaos,
    latenessMs: positive("--lateness-ms", v["lateness-ms"], true) ?? 2_000,
    pace,
    start,
  };
}
