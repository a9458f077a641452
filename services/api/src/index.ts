export * from "./app.ts";
export * from "./config.ts";
export * from "./live.ts";
export * from "./queries.ts";
export * from "./validation.ts";
