export * from "./config.ts";
export * from "./outputs.ts";
export * from "./processor.ts";
export * from "./run.ts";
