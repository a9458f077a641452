export * from "./checker.ts";
export * from "./params.ts";
export * from "./robust-window.ts";
export * from "./series.ts";
export * from "./slots.ts";
