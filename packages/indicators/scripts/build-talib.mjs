// Builds the `talib` devDependency (TA-Lib's C code + its N-API/NAN binding) for the Node that runs this script.
// The postinstall runs it through scripts/node24, so the addon always matches the Node that runs the tests and the
// benchmarks (Node 24), whichever Node ran `pnpm install`.
//
// Why this exists: talib@2.0.5's npm tarball ships macOS arm64 objects (src/lib/temp, src/lib/lib, build/Release),
// and its own install script runs `make` without `make clean`, so on Linux it re-archives the Mach-O objects and the
// link fails. pnpm 10 also skips dependency build scripts unless they are allow-listed. This postinstall of
// @quant/indicators (a workspace project, whose scripts pnpm does run) therefore does the build itself:
//   make clean && make   in talib/src/lib/make/csr/linux/g++   (TA-Lib C library, ~30 s)
//   node-gyp rebuild     with nodedir = the running Node's own headers (no download; ignores ~/.npmrc nodedir=/usr)
// It is a no-op when talib already loads. Set QUANT_SKIP_TALIB_BUILD=1 to skip (talib is only a test/bench oracle).
import { execFileSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

if (process.env.QUANT_SKIP_TALIB_BUILD === "1") {
  console.log("build-talib: skipped (QUANT_SKIP_TALIB_BUILD=1)");
  process.exit(0);
}

let talibDir;
try {
  talibDir = path.dirname(realpathSync(require.resolve("talib")));
} catch {
  console.log("build-talib: talib not installed (production install?), nothing to do");
  process.exit(0);
}

function loads() {
  try {
    // require(dir) -> index.js -> build/Release/talib.node
    execFileSync(process.execPath, ["-e", `require(${JSON.stringify(talibDir)})`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (loads()) {
  console.log(`build-talib: ${talibDir} already loads under Node ${process.version}`);
  process.exit(0);
}

if (process.platform !== "linux" && process.platform !== "darwin") {
  console.error(`build-talib: unsupported platform ${process.platform}; build talib yourself`);
  process.exit(1);
}

const nodedir = path.resolve(path.dirname(process.execPath), "..");
const env = { ...process.env };
if (existsSync(path.join(nodedir, "include", "node", "node.h"))) {
  env.npm_config_nodedir = nodedir;
}
const gyp = require.resolve("node-gyp/bin/node-gyp.js");
const makeDir = path.join(talibDir, "src/lib/make/csr/linux/g++");
const run = (cmd, args, cwd) => {
  console.log(`build-talib: (${path.relative(talibDir, cwd) || "."}) ${cmd} ${args.join(" ")}`);
  try {
    execFileSync(cmd, args, { cwd, env, stdio: "pipe", maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    process.stderr.write(String(err.stdout ?? "") + String(err.stderr ?? ""));
    throw err;
  }
};
const started = Date.now();
run("make", ["clean"], makeDir);
run("make", [], makeDir);
run(process.execPath, [gyp, "rebuild", "--loglevel=warn"], talibDir);
if (!loads()) {
  console.error("build-talib: talib built but still does not load");
  process.exit(1);
}
console.log(`build-talib: built talib for Node ${process.version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
