import { defineConfig } from "vitest/config";

// One run, two projects: `unit` needs nothing; `integration` (files named *.int.test.ts) talks to the
// native servers, which the global setup brings up with `pnpm stack up` (idempotent).
// QUANT_TEST_REPORT=FILE adds a JSON report beside the usual output (CI reads its counts), leaving the command as is.
const report = process.env.QUANT_TEST_REPORT;

export default defineConfig({
  test: {
    ...(report ? { reporters: ["default", ["json", { outputFile: report }]] } : {}),
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "services/*/src/**/*.test.ts",
            "services/*/bench/**/*.test.ts",
            "scripts/**/*.test.ts",
            "airflow/**/*.test.ts",
          ],
          // *.compose.test.ts: the checks of `pnpm test:compose`, against its running compose stack.
          exclude: ["**/*.int.test.ts", "**/*.compose.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: [
            "packages/*/src/**/*.int.test.ts",
            "services/*/src/**/*.int.test.ts",
            "scripts/**/*.int.test.ts",
            "airflow/**/*.int.test.ts",
          ],
          exclude: ["**/node_modules/**"],
          globalSetup: ["scripts/test/global-setup.ts"],
          // Generous: these run real servers on a 2-core machine, often beside other work.
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // The servers are shared: test files run one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
