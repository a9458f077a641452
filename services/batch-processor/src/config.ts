import { logEnv, mongoEnv, pushgatewayEnv, s3Env } from "@quant/core";

export const batchEnv = { ...logEnv, ...mongoEnv, ...s3Env, ...pushgatewayEnv };
