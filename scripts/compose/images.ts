// The stand-in images of docker-compose.offline.yml (docker/offline/*): a Debian root filesystem from debootstrap
// imported once, then every stand-in built by compose from docker/offline/images.yml. Rebuilds are keyed on their
// inputs by the engine's build cache (its data root lives in the project's cache): an unchanged stand-in takes
// seconds.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, REPO_ROOT, STACK_DIR } from "../stack/paths.ts";
import { StackError } from "../stack/process.ts";
import { kafka, kafkaLibs, minioBin, s3 } from "../stack/servers.ts";
import { ensureFerretdb, ensureMc } from "./binaries.ts";
import { ensureCommands } from "./engine.ts";

/** The imported debootstrap root filesystem; bump the tag to rebuild it. */
export const ROOTFS_IMAGE = "quant-offline/debian-rootfs:bookworm";
const OFFLINE_DIR = join(REPO_ROOT, "docker", "offline");
export const IMAGES_FILE = join(OFFLINE_DIR, "images.yml");
const CONTEXTS = join(STACK_DIR, "compose", "contexts");
const EXTRA_CA_DIR = "/usr/local/share/ca-certificates";

/** Build order: each group is built after the previous one (later stand-ins are FROM debian or node). */
export const STAND_IN_GROUPS = [
  ["debian"],
  ["node"],
  ["postgres", "airflow", "kafka", "ferretdb", "minio", "prometheus", "pushgateway"],
];

function imageExists(ref: string): boolean {
  return spawnSync("docker", ["image", "inspect", ref], { stdio: "ignore" }).status === 0;
}

/** debootstrap --variant=minbase bookworm, imported as ROOTFS_IMAGE (about a minute, once per engine data root). */
export async function ensureRootfs(log: (line: string) => void): Promise<void> {
  if (imageExists(ROOTFS_IMAGE)) return;
  ensureCommands({ debootstrap: "debootstrap" });
  const dir = join(CACHE_DIR, "docker", `rootfs-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  try {
    log("debootstrap --variant=minbase bookworm (Debian's packages)");
    const r = spawnSync("debootstrap", ["--variant=minbase", "bookworm", dir, "http://deb.debian.org/debian"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (r.status !== 0) throw new StackError(`compose: debootstrap failed (exit ${r.status})`);
    rmSync(join(dir, "var", "cache", "apt", "archives"), { recursive: true, force: true });
    mkdirSync(join(dir, "var", "cache", "apt", "archives", "partial"), { recursive: true });
    await pipeInto(["tar", "-C", dir, "-c", "."], ["docker", "import", "-c", 'CMD ["bash"]', "-", ROOTFS_IMAGE]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pipeInto(from: string[], to: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const producer = spawn(from[0]!, from.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
    const consumer = spawn(to[0]!, to.slice(1), { stdio: ["pipe", "ignore", "inherit"] });
    producer.stdout.pipe(consumer.stdin);
    let failed = false;
    producer.on("exit", (code) => {
      if (code !== 0) failed = true;
    });
    consumer.on("exit", (code) =>
      code === 0 && !failed ? resolve() : reject(new StackError(`compose: ${from[0]} | ${to.join(" ")} failed`)),
    );
  });
}

/** Hard links when the cache and the clone share a file system, else copies. */
function stage(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) stage(join(from, name), join(to, name));
    return;
  }
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    cpSync(from, to);
  }
}

/** Each stand-in's build context: its folder of docker/offline, plus what it takes from this machine. */
async function stageContexts(log: (line: string) => void): Promise<void> {
  rmSync(CONTEXTS, { recursive: true, force: true });
  for (const name of readdirSync(OFFLINE_DIR)) {
    if (statSync(join(OFFLINE_DIR, name)).isDirectory()) stage(join(OFFLINE_DIR, name), join(CONTEXTS, name));
  }
  const certs = join(CONTEXTS, "debian", "certs");
  mkdirSync(certs, { recursive: true });
  if (existsSync(EXTRA_CA_DIR)) {
    for (const f of readdirSync(EXTRA_CA_DIR).filter((n) => n.endsWith(".crt")))
      stage(join(EXTRA_CA_DIR, f), join(certs, f));
  }
  stage(join(REPO_ROOT, "airflow", "requirements.lock"), join(CONTEXTS, "airflow", "requirements.lock"));
  log(
    "the native stack's Kafka jars and MinIO (installed on first use), FerretDB's command and mc (built on first use)",
  );
  await kafka.install();
  await s3.install();
  stage(kafkaLibs, join(CONTEXTS, "kafka", "libs"));
  stage(minioBin, join(CONTEXTS, "minio", "bin", "minio"));
  stage(await ensureMc(), join(CONTEXTS, "minio", "bin", "mc"));
  stage(await ensureFerretdb(), join(CONTEXTS, "ferretdb", "bin", "ferretdb"));
}

/** Builds every stand-in image (compose over docker/offline/images.yml), in STAND_IN_GROUPS order. */
export async function buildStandIns(compose: string[], log: (line: string) => void): Promise<void> {
  await ensureRootfs(log);
  await stageContexts(log);
  const [cmd, ...pre] = compose;
  for (const group of STAND_IN_GROUPS) {
    log(`build ${group.join(", ")}`);
    const r = spawnSync(cmd!, [...pre, "-f", IMAGES_FILE, "build", ...group], {
      env: { ...process.env, QUANT_OFFLINE_CONTEXTS: CONTEXTS },
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new StackError(`compose: building the stand-in image(s) ${group.join(", ")} failed`);
  }
}
