export * from "./bars.ts";
export * from "./checkpoints.ts";
export * from "./cross-asset.ts";
export * from "./latest.ts";
export * from "./layout.ts";
export * from "./quality.ts";
export * from "./queries.ts";
