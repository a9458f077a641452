import { logEnv, mongoEnv, pushgatewayEnv, s3Env } from "@quant/core";
import { candleRulesEnv } from "@quant/trades";

/** The candle rules too: trade candles are recomputed with the aggregator's widths and lateness. */
export const batchEnv = { ...logEnv, ...mongoEnv, ...s3Env, ...pushgatewayEnv, ...candleRulesEnv };
