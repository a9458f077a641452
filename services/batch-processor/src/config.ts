import { logEnv, mongoEnv, s3Env } from "@quant/core";

export const batchEnv = { ...logEnv, ...mongoEnv, ...s3Env };
