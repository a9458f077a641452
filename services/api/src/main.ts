// The API process: config from the environment, MongoDB (read-only user in compose), Kafka offsets for the
// pipeline panel, HTTP on API_HOST:API_PORT; SIGTERM/SIGINT close the server (SSE streams end) and the clients.
import {
  connectMongo,
  createKafkaStats,
  createLogger,
  createMetricsRegistry,
  loadConfigOrExit,
  onShutdown,
} from "@quant/core";
import { buildApp } from "./app.ts";
import { apiEnv } from "./config.ts";
import { ServingCache } from "./serving-cache.ts";

const config = loadConfigOrExit(apiEnv);
const logger = createLogger("api", config.LOG_LEVEL);
const mongo = await connectMongo({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB }, logger);
const kafkaStats = config.API_KAFKA_STATS
  ? createKafkaStats(
      { brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, group: config.API_STREAM_GROUP },
      logger,
    )
  : null;
const metrics = createMetricsRegistry({ service: "api" });
const cache = new ServingCache(mongo.db, { pollMs: config.API_POLL_MS, maxBars: config.API_MAX_BARS, logger });
cache.start();
const app = await buildApp({
  db: mongo.db,
  mongoHealth: () => mongo.health(),
  kafkaStats,
  cache,
  metrics,
  logger,
  maxBars: config.API_MAX_BARS,
});
const address = await app.listen({ host: config.API_HOST, port: config.API_PORT });
logger.info({ address, db: config.MONGODB_DB }, "api listening");

onShutdown({
  logger,
  timeoutMs: config.API_SHUTDOWN_TIMEOUT_MS,
  async stop() {
    await app.close();
    await kafkaStats?.close();
    await mongo.close();
  },
});
