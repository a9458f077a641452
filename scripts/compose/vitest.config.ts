// The checks of `pnpm test:compose` against the running compose stack (started by scripts/compose/main.ts), in this
// order: the stack itself, the dashboard's browser test pointed at the stack's API, then the clean stop.
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { endpoints, readTestEnv } from "./project.ts";

const ORDER = [
  "scripts/compose/stack.compose.test.ts",
  "services/api/src/dashboard.int.test.ts",
  "scripts/compose/down.compose.test.ts",
];

class InOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => ORDER.findIndex((o) => f.moduleId.endsWith(o));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

// The dashboard test opens the stack's API on its published port and writes its live bar into the stack's MongoDB.
const at = endpoints(readTestEnv());

export default defineConfig({
  test: {
    name: "compose",
    include: ORDER,
    fileParallelism: false,
    sequence: { sequencer: InOrder },
    testTimeout: 900_000,
    hookTimeout: 600_000,
    env: { QUANT_TEST_API_URL: at.api, MONGODB_URI: at.mongoUri, MONGODB_DB: at.mongoDb },
  },
});
