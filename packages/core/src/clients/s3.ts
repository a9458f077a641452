import { Client } from "minio";
import type { Logger } from "../logger.ts";

export interface S3Config {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/** The S3 client settings from a service's parsed environment (the `s3Env` part of its config). */
export function s3ConfigFromEnv(env: {
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_BUCKET: string;
  S3_REGION: string;
}): S3Config {
  return {
    endpoint: env.S3_ENDPOINT,
    accessKey: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
  };
}

export interface ObjectStore {
  client: Client;
  bucket: string;
  ensureBucket(): Promise<void>;
  health(): Promise<{ ok: boolean }>;
  put(key: string, body: Buffer, metadata?: Record<string, string>): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Object keys under a prefix, recursively, in lexical order. */
  list(prefix: string): Promise<string[]>;
  exists(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createObjectStore(config: S3Config, logger: Logger): ObjectStore {
  const log = logger.child({ component: "s3" });
  const url = new URL(config.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80,
    useSSL: url.protocol === "https:",
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
    pathStyle: true,
  });
  const bucket = config.bucket;
  return {
    client,
    bucket,
    async ensureBucket() {
      if (!(await client.bucketExists(bucket))) {
        await client.makeBucket(bucket, config.region);
        log.info({ bucket }, "created bucket");
      }
    },
    async health() {
      try {
        await client.listBuckets();
        return { ok: true };
      } catch {
        return { ok: false };
      }
    },
    async put(key, body, metadata = {}) {
      await client.putObject(bucket, key, body, body.length, metadata);
    },
    async get(key) {
      const stream = await client.getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    async list(prefix) {
      const keys: string[] = [];
      for await (const item of client.listObjectsV2(bucket, prefix, true)) {
        if (item.name) keys.push(item.name);
      }
      return keys.sort();
    },
    async exists(key) {
      try {
        await client.statObject(bucket, key);
        return true;
      } catch (err) {
        if ((err as { code?: string }).code === "NotFound" || (err as { code?: string }).code === "NoSuchKey")
          return false;
        throw err;
      }
    },
    async close() {
      // The minio client keeps no connection of its own beyond the HTTP agent.
    },
  };
}
