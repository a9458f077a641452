// Command-line arguments of `batch` and `reconcile`:
//   --date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD
//   [--asset-type equities|crypto|bonds[,…]] [--symbols A,B] [--interval 1m|5m|1d[,…]] [--json FILE]
import { parseArgs } from "node:util";
import { type AssetClass, Interval } from "@quant/core";

export class UsageError extends Error {}

export const ASSET_TYPES: Record<string, AssetClass> = { equities: "equity", crypto: "crypto", bonds: "bond" };

export interface RangeRequest {
  /** Trading dates, both included. */
  from: string;
  to: string;
  assetClasses: AssetClass[];
  symbols: string[] | null;
  intervals: Interval[] | null;
  /** --json FILE: where the command writes its result as JSON (for scripts such as `pnpm start`), besides stdout. */
  json: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const list = (s: string | undefined) =>
  s === undefined
    ? null
    : s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);

export function parseRangeArgs(argv: readonly string[], usage: string): RangeRequest {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        date: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        "asset-type": { type: "string" },
        symbols: { type: "string" },
        interval: { type: "string" },
        json: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
  const date = values.date as string | undefined;
  const from = (values.from as string | undefined) ?? date;
  const to = (values.to as string | undefined) ?? date;
  if (!from || !to || (date && (values.from || values.to)))
    throw new UsageError(`give --date or --from and --to\n${usage}`);
  for (const d of [from, to])
    if (!DATE.test(d) || Number.isNaN(Date.parse(d))) throw new UsageError(`not a date: ${d}`);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const assetClasses = (list(values["asset-type"] as string | undefined) ?? Object.keys(ASSET_TYPES)).map((t) => {
    const a = ASSET_TYPES[t];
    if (!a) throw new UsageError(`--asset-type: expected equities, crypto or bonds, got "${t}"`);
    return a;
  });
  const intervals =
    list(values.interval as string | undefined)?.map((i) => {
      const r = Interval.safeParse(i);
      if (!r.success) throw new UsageError(`--interval: expected one of ${Interval.options.join(", ")}, got "${i}"`);
      return r.data;
    }) ?? null;
  const json = (values.json as string | undefined) ?? null;
  return { from, to, assetClasses, symbols: list(values.symbols as string | undefined), intervals, json };
}
