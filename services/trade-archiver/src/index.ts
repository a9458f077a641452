export * from "./archiver.ts";
export * from "./config.ts";
export * from "./run.ts";
