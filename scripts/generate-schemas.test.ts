import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderSchema, SCHEMA_FILES } from "./generate-schemas.ts";
import { REPO_ROOT } from "./stack/paths.ts";

describe("schemas/ is generated from the zod schemas", () => {
  for (const [file, make] of Object.entries(SCHEMA_FILES)) {
    it(`schemas/${file} matches (run \`pnpm schemas\` after changing the zod schema)`, () => {
      expect(readFileSync(join(REPO_ROOT, "schemas", file), "utf8")).toBe(renderSchema(make));
    });
  }

  it("lists every field of the bar as required on the wire", () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, "schemas", "bar.v1.json"), "utf8")) as {
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(["id", "symbol", "ts", "open", "high", "low", "close", "volume"]),
    );
    expect(Object.keys(schema.properties)).toContain("adjClose");
  });
});
