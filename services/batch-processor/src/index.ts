// The batch processor's public surface: its configuration shape and the jobs its CLIs run.
export { parseRangeArgs, type RangeRequest } from "./args.ts";
export { type BatchSummary, runBatch } from "./batch.ts";
export { batchEnv } from "./config.ts";
export { type CrossAssetRequest, type CrossAssetSummary, runCrossAsset } from "./cross-asset.ts";
export { type ReconcileReport, runReconcile } from "./reconcile.ts";
