import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  kafkaEnv,
  loadConfig,
  logEnv,
  metricsServerEnv,
  mongoEnv,
  pushgatewayEnv,
  s3Env,
} from "./config.ts";
import { thrownBy } from "./testing.ts";

const serviceShape = { ...logEnv, ...kafkaEnv, ...mongoEnv, ...s3Env };
const good = {
  MONGODB_URI: "mongodb://127.0.0.1:27017/",
  S3_ACCESS_KEY: "abc",
  S3_SECRET_KEY: "12345678",
};

const configError = (env: Record<string, string>) => thrownBy(ConfigError, () => loadConfig(serviceShape, env));

describe("loadConfig", () => {
  it("applies defaults and parses broker lists", () => {
    const c = loadConfig(serviceShape, { ...good, KAFKA_BROKERS: "a:1, b.example:9093" });
    expect(c.KAFKA_BROKERS).toEqual(["a:1", "b.example:9093"]);
    expect(c.LOG_LEVEL).toBe("info");
    expect(c.S3_BUCKET).toBe("quant");
    expect(c.MONGODB_DB).toBe("quant");
  });

  it("names KAFKA_BROKERS when it is not a host:port list, in one line", () => {
    const err = configError({ ...good, KAFKA_BROKERS: "nonsense" });
    expect(err.variable).toBe("KAFKA_BROKERS");
    expect(err.message).toBe('invalid configuration: KAFKA_BROKERS: expected host:port, got "nonsense"');
    expect(err.message).not.toContain("\n");
  });

  it("names a missing MONGODB_URI", () => {
    const err = configError({ S3_ACCESS_KEY: "abc", S3_SECRET_KEY: "12345678" });
    expect(err.variable).toBe("MONGODB_URI");
    expect(err.message).toMatch(/^invalid configuration: MONGODB_URI: expected a mongodb:\/\//);
  });

  it("treats an empty value as unset", () => {
    expect(configError({ ...good, MONGODB_URI: "" }).variable).toBe("MONGODB_URI");
    expect(loadConfig(serviceShape, { ...good, LOG_LEVEL: "" }).LOG_LEVEL).toBe("info");
  });

  it("shows the bad value when the message does not", () => {
    const err = configError({ ...good, LOG_LEVEL: "loud" });
    expect(err.variable).toBe("LOG_LEVEL");
    expect(err.message).toContain('(got "loud")');
  });

  it("rejects out-of-range ports and short secrets", () => {
    expect(configError({ ...good, KAFKA_BROKERS: "h:70000" }).variable).toBe("KAFKA_BROKERS");
    expect(configError({ ...good, S3_SECRET_KEY: "short" }).variable).toBe("S3_SECRET_KEY");
  });

  it("builds per-service schemas from shared parts", () => {
    const shape = { ...kafkaEnv, BATCH_SIZE: z.coerce.number().int().positive().default(500) };
    expect(loadConfig(shape, { BATCH_SIZE: "20" }).BATCH_SIZE).toBe(20);
    expect(() => loadConfig(shape, { BATCH_SIZE: "-1" })).toThrow(/BATCH_SIZE/);
  });

  it("reads METRICS_PORT (0: any free port) and an optional PUSHGATEWAY_URL, naming either when bad", () => {
    const shape = { ...metricsServerEnv, ...pushgatewayEnv };
    expect(loadConfig(shape, {})).toEqual({ METRICS_PORT: 9464 });
    expect(loadConfig(shape, { METRICS_PORT: "0", PUSHGATEWAY_URL: "http://pg:9091" })).toEqual({
      METRICS_PORT: 0,
      PUSHGATEWAY_URL: "http://pg:9091",
    });
    expect(() => loadConfig(shape, { METRICS_PORT: "70000" })).toThrow(/^invalid configuration: METRICS_PORT: /);
    expect(() => loadConfig(shape, { PUSHGATEWAY_URL: "pushgateway" })).toThrow(
      /^invalid configuration: PUSHGATEWAY_URL: expected a URL/,
    );
  });
});
