import { z } from "zod";

export const AssetClass = z.enum(["equity", "crypto", "bond"]);
export type AssetClass = z.infer<typeof AssetClass>;

/** Bar intervals: the scraped ones (1m, 5m, 1d) and the rollups built from them (15m, 1h). */
export const Interval = z.enum(["1m", "5m", "15m", "1h", "1d"]);
export type Interval = z.infer<typeof Interval>;

export const INTERVAL_MS: Record<Interval, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
};

/**
 * Where a bar came from: live Yahoo, a recorded Yahoo response, the generator, a rollup of smaller bars, or a 1m
 * candle of a trade stream (the trades' own source, synthetic or live, is in the trade lake and the candles).
 */
export const BarSource = z.enum(["yahoo", "replay", "synthetic", "rollup", "trades"]);
export type BarSource = z.infer<typeof BarSource>;
