// monitoring/alerts: the rules load (promtool check), their unit tests pass (promtool test rules), every alert has a
// case where it fires and one where it does not, the rules query only metrics that exist, and Prometheus in
// compose loads them. promtool comes from Debian's prometheus package (install-promtool.sh: cached, first use ~5 s).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../stack/paths.ts";
import { unknownMetrics } from "./promql.ts";

const ALERTS = join(REPO_ROOT, "monitoring", "alerts");
const RULES = join(ALERTS, "quant.rules.yml");
const TESTS = join(ALERTS, "quant.rules.test.yml");

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string }[] }[];
}
interface RuleTests {
  rule_files: string[];
  tests: {
    name: string;
    alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
  }[];
}

const rules = parse(readFileSync(RULES, "utf8")) as RuleFile;
const alerts = rules.groups.flatMap((g) => g.rules.filter((r) => r.alert));
let promtool = "";

function run(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(promtool, args, { cwd: ALERTS, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("alert rules", () => {
  beforeAll(() => {
    promtool = execFileSync(join(REPO_ROOT, "scripts", "monitoring", "install-promtool.sh"), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  }, 300_000);

  it("cover consumer lag, dead letters, scrape failures, drift, quality score and processor memory", () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        "ConsumerLagHigh",
        "DeadLettersArriving",
        "ScrapeFailing",
        "StreamBatchDrift",
        "QualityScoreLow",
        "StreamProcessorMemoryHigh",
      ]),
    );
  });

  it("pass promtool check rules and promtool test rules", { timeout: 60_000 }, () => {
    const check = run("check", "rules", RULES);
    expect(check.status, check.out).toBe(0);
    const test = run("test", "rules", TESTS);
    expect(test.status, test.out).toBe(0);
    expect(test.out).toContain("SUCCESS");
  });

  it("each alert has a case where it fires and a case where it does not", () => {
    const tests = parse(readFileSync(TESTS, "utf8")) as RuleTests;
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} fires somewhere`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} stays quiet somewhere`,
      ).toBe(true);
    }
  });

  it("a wrong expectation fails the run (the harness can say no)", () => {
    const dir = mkdtempSync(join(tmpdir(), "promtool-"));
    try {
      const tests = parse(readFileSync(TESTS, "utf8")) as RuleTests;
      // Expect the drift alert to stay quiet when it fires.
      const drift = tests.tests.find((t) => t.alert_rule_test?.some((c) => c.alertname === "StreamBatchDrift"))!;
      for (const c of drift.alert_rule_test ?? []) c.exp_alerts = [];
      tests.rule_files = [RULES];
      writeFileSync(join(dir, "wrong.test.yml"), JSON.stringify({ ...tests, tests: [drift] }));
      const r = spawnSync(promtool, ["test", "rules", join(dir, "wrong.test.yml")], { encoding: "utf8" });
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain("StreamBatchDrift");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("query only metrics the services register (or Prometheus and the Pushgateway make)", async () => {
    expect(await unknownMetrics(alerts.map((a) => ({ where: a.alert!, expr: a.expr })))).toEqual([]);
  });

  it("are loaded by Prometheus in compose: rule_files matches the mounted folder, and the config checks", () => {
    const config = parse(readFileSync(join(REPO_ROOT, "monitoring", "prometheus.yml"), "utf8")) as {
      rule_files: string[];
    };
    expect(config.rule_files).toEqual(["alerts/*.rules.yml"]);
    const compose = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as {
      services: { prometheus: { volumes: string[] } };
    };
    expect(compose.services.prometheus.volumes).toContain("./monitoring/alerts:/etc/prometheus/alerts:ro");
    const r = spawnSync(promtool, ["check", "config", join(REPO_ROOT, "monitoring", "prometheus.yml")], {
      encoding: "utf8",
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("8 rules found");
  });
});
