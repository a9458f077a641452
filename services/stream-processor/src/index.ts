export * from "./config.ts";
export * from "./dead-letter.ts";
export * from "./decode.ts";
export * from "./processor.ts";
export * from "./rollup.ts";
export * from "./run.ts";
export * from "./series.ts";
