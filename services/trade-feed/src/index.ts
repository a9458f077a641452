export * from "./args.ts";
export * from "./config.ts";
export * from "./finnhub/client.ts";
export * from "./finnhub/format.ts";
export * from "./finnhub/source.ts";
export * from "./sender.ts";
export * from "./synthetic.ts";
