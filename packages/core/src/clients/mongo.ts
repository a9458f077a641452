import { type Db, MongoClient } from "mongodb";
import type { Logger } from "../logger.ts";

export interface MongoConfig {
  uri: string;
  dbName: string;
  /** Emit the driver's command events (commandStarted/Succeeded/Failed), e.g. for observeStoreWrites. */
  monitorCommands?: boolean;
}

export interface MongoHealth {
  ok: boolean;
  version: string | null;
  /** FerretDB answers buildInfo with its own version; some features (TTL, explain shape) differ. */
  ferretdb: boolean;
}

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  health(): Promise<MongoHealth>;
  close(): Promise<void>;
}

export async function connectMongo(config: MongoConfig, logger: Logger): Promise<MongoHandle> {
  const log = logger.child({ component: "mongo" });
  const client = new MongoClient(config.uri, {
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    appName: "quant-pipeline",
    monitorCommands: config.monitorCommands ?? false,
  });
  await client.connect();
  const db = client.db(config.dbName);
  log.debug({ db: config.dbName }, "connected");
  return {
    client,
    db,
    async health() {
      try {
        await db.command({ ping: 1 });
        const info = await db.admin().command({ buildInfo: 1 });
        return { ok: true, version: String(info.version ?? ""), ferretdb: "ferretdbVersion" in info };
      } catch {
        return { ok: false, version: null, ferretdb: false };
      }
    },
    async close() {
      await client.close();
    },
  };
}
