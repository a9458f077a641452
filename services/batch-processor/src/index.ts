export * from "./args.ts";
export * from "./batch.ts";
export * from "./compute.ts";
export * from "./cross-asset.ts";
export * from "./indexes.ts";
export * from "./lake-series.ts";
export * from "./progress.ts";
export * from "./reconcile.ts";
