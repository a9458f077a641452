// Writes schemas/*.json from the zod schemas of @quant/core (`pnpm schemas`).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { barJsonSchema, tradeJsonSchema } from "@quant/core";
import { REPO_ROOT } from "./stack/paths.ts";

export const SCHEMA_FILES: Record<string, () => Record<string, unknown>> = {
  "bar.v1.json": barJsonSchema,
  "trade.v1.json": tradeJsonSchema,
};

export function renderSchema(make: () => Record<string, unknown>): string {
  return `${JSON.stringify(make(), null, 2)}\n`;
}

if (import.meta.main) {
  for (const [file, make] of Object.entries(SCHEMA_FILES)) {
    writeFileSync(join(REPO_ROOT, "schemas", file), renderSchema(make));
    process.stdout.write(`wrote schemas/${file}\n`);
  }
}
