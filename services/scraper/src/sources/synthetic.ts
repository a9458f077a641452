// `--source synthetic`: bars from @quant/synthetic, no network at all.
import { SyntheticMarket } from "@quant/synthetic";
import { emptyResult, type MarketSource } from "./types.ts";

export function createSyntheticSource(seed: number, now: () => number = Date.now): MarketSource {
  const market = new SyntheticMarket({ seed, ingestTs: new Date(now()).toISOString() });
  return {
    name: "synthetic",
    async fetchSeries(req) {
      const result = emptyResult();
      result.requests = 1;
      // No bars from the future: the synthetic market would happily make them.
      result.bars = market
        .bars(req.symbol, req.assetClass, req.interval, req.from, req.to)
        .filter((b) => Date.parse(b.ts) < now());
      return result;
    },
  };
}
