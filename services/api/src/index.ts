export * from "./app.ts";
export * from "./config.ts";
export * from "./queries.ts";
export * from "./serving-cache.ts";
export * from "./validation.ts";
