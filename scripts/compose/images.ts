// The stand-in images of docker-compose.offline.yml (docker/offline/*): a Debian root filesystem from debootstrap
// imported once, then every stand-in built by compose from docker/offline/images.yml. Rebuilds are keyed on their
// inputs by the engine's build cache (its data root lives in the project's cache): an unchanged stand-in takes
// seconds.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
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

/** The base images, built first and in this order: every other stand-in, and our images, are FROM one of them. */
export const BASE_IMAGES = ["debian", "node"];
/** The stand-ins of the third-party services, built together once the base images exist. */
export const SERVICE_STAND_INS = ["postgres", "airflow", "kafka", "ferretdb", "minio", "prometheus", "pushgateway"];

/** Runs a command to its end (main.ts: output prefixed, stopped on Ctrl-C); resolves to its exit code. */
export type Runner = (cmd: readonly string[], env: NodeJS.ProcessEnv, label: string) => Promise<number>;

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
    // Asynchronous: the Go builds of stageBinaries run meanwhile.
    const status = await new Promise<number | null>((resolve) =>
      spawn("debootstrap", ["--variant=minbase", "bookworm", dir, "http://deb.debian.org/debian"], {
        stdio: ["ignore", "ignore", "inherit"],
      })
        .on("error", () => resolve(null))
        .on("exit", (code) => resolve(code)),
    );
    if (status !== 0) throw new StackError(`compose: debootstrap failed (exit ${status})`);
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
  // The file itself, not a symbolic link to it (link(2) does not follow one, and a build context cannot either).
  const file = realpathSync(from);
  try {
    linkSync(file, to);
  } catch {
    cpSync(file, to);
  }
}

/** Each stand-in's build context: its folder of docker/offline, plus the files it takes from this checkout. */
function stageFolders(): void {
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
}

/** The binaries the service stand-ins copy from this machine, installed or built into the cache on first use. */
async function stageBinaries(log: (line: string) => void): Promise<void> {
  log(
    "the native stack's Kafka jars and MinIO (installed on first use), FerretDB's command and mc (built on first use)",
  );
  const [, , mc, ferretdb] = await Promise.all([kafka.install(), s3.install(), ensureMc(), ensureFerretdb()]);
  stage(kafkaLibs, join(CONTEXTS, "kafka", "libs"));
  stage(minioBin, join(CONTEXTS, "minio", "bin", "minio"));
  stage(mc, join(CONTEXTS, "minio", "bin", "mc"));
  stage(ferretdb, join(CONTEXTS, "ferretdb", "bin", "ferretdb"));
}

async function buildImages(compose: readonly string[], names: string[], run: Runner, label: string): Promise<void> {
  const env = { ...process.env, QUANT_OFFLINE_CONTEXTS: CONTEXTS };
  if ((await run([...compose, "-f", IMAGES_FILE, "build", ...names], env, label)) !== 0)
    throw new StackError(`compose: building the stand-in image(s) ${names.join(", ")} failed`);
}

/**
 * The base stand-ins (debootstrap's root filesystem, then debian, then node), while the service stand-ins' binaries
 * are installed or built (downloads and Go builds overlap).
 */
export async function buildBaseImages(compose: readonly string[], log: (line: string) => void, run: Runner) {
  stageFolders();
  const bases = (async () => {
    await ensureRootfs(log);
    for (const name of BASE_IMAGES) await buildImages(compose, [name], run, name);
  })();
  await Promise.all([bases, stageBinaries(log)]);
}

/** The service stand-ins (one compose build, in parallel), once the base images and the binaries are there. */
export async function buildServiceStandIns(compose: readonly string[], run: Runner): Promise<void> {
  await buildImages(compose, SERVICE_STAND_INS, run, "stand-ins");
}
