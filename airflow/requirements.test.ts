// The committed lock matches what requirements.in asks for (run scripts/airflow/lock.sh after editing it).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const dir = import.meta.dirname;
const pins = (text: string) =>
  new Map(
    [...text.matchAll(/^([A-Za-z0-9._-]+)==([^\s\\;]+)/gm)].map((m) => [
      m[1]!.toLowerCase().replace(/[._]/g, "-"),
      m[2]!,
    ]),
  );

describe("airflow/requirements.lock", () => {
  const wanted = pins(readFileSync(join(dir, "requirements.in"), "utf8"));
  const lock = readFileSync(join(dir, "requirements.lock"), "utf8");
  const locked = pins(lock);

  it("pins every package of requirements.in at the version asked for", () => {
    expect(wanted.size).toBeGreaterThan(0);
    for (const [name, version] of wanted) expect(locked.get(name), name).toBe(version);
  });

  it("holds Airflow 3 with the providers the DAGs import, every package with hashes", () => {
    expect(locked.get("apache-airflow")).toMatch(/^3\./);
    expect(locked.has("apache-airflow-providers-standard")).toBe(true);
    expect(locked.has("apache-airflow-providers-docker")).toBe(true);
    const entries = lock.split(/\n(?=[a-z0-9])/).filter((e) => /^[a-z0-9][^=\s]*==/.test(e));
    expect(entries.length).toBe(locked.size);
    for (const e of entries) expect(e, e.split("\n")[0]).toContain("--hash=sha256:");
  });
});
