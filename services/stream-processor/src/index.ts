// The stream processor's public surface: its configuration shape and the way to run it in-process.
export { type StreamConfig, streamEnv } from "./config.ts";
export { type RunningStreamProcessor, startStreamProcessor } from "./run.ts";
