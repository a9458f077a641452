// The API's public surface: its configuration shape and the app builder (main.ts wires them).

export { type AppDeps, buildApp } from "./app.ts";
export { apiEnv } from "./config.ts";
export { ServingCache } from "./serving-cache.ts";
