// monitoring/ against the metrics the code registers: every dashboard query names only metrics that exist (so a
// renamed metric fails here, not as an empty panel), every shared metric is charted, and Prometheus scrapes the
// stream processor on its default METRICS_PORT.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exposedMetricNames, loadConfig, metricsServerEnv, PIPELINE_METRICS } from "@quant/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../stack/paths.ts";

const MONITORING = join(REPO_ROOT, "monitoring");

/** Series Prometheus and the Pushgateway add themselves. */
const EXTERNAL_METRICS = new Set(["up", "push_time_seconds"]);

/** PromQL words that are not metric names. */
const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"]);
const PROMQL_OPERATORS = new Set(["and", "or", "unless"]);

/** The metric names a PromQL expression selects. */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // range selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // grouping labels
  const names: string[] = [];
  for (const m of bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)) {
    const word = m[1]!;
    if (m[2] !== undefined || PROMQL_WORDS.has(word) || PROMQL_OPERATORS.has(word)) continue; // a function call
    names.push(word);
  }
  return names;
}

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(MONITORING, "grafana/dashboards/quant-pipeline.json"), "utf8")) as {
  panels: Panel[];
};

describe("monitoring", () => {
  it("reads metric names out of PromQL", () => {
    expect(
      metricNamesOf('histogram_quantile(0.99, sum by (le, x) (rate(a_bucket{service="b c"}[5m]))) > 0 or up'),
    ).toEqual(["a_bucket", "up"]);
    expect(metricNamesOf('time() - max by (job) (push_time_seconds{job=~"scraper|batch"})')).toEqual([
      "push_time_seconds",
    ]);
  });

  it("every dashboard panel queries only metrics the services register", async () => {
    const known = await exposedMetricNames();
    const unknown: string[] = [];
    for (const panel of dashboard.panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets ?? []) {
        const names = metricNamesOf(t.expr);
        expect(names.length, `${panel.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of names) if (!known.has(n) && !EXTERNAL_METRICS.has(n)) unknown.push(`${panel.title}: ${n}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it("every shared metric has a panel", () => {
    const charted = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNamesOf(t.expr))));
    const uncharted = Object.values(PIPELINE_METRICS)
      .map((d) => d.name)
      .filter((name) => ![name, `${name}_bucket`].some((n) => charted.has(n)));
    expect(uncharted).toEqual([]);
  });

  it("Prometheus scrapes the stream processor on the default METRICS_PORT and honours pushed job labels", () => {
    const config = parse(readFileSync(join(MONITORING, "prometheus.yml"), "utf8")) as {
      scrape_configs: { job_name: string; honor_labels?: boolean; dns_sd_configs?: { port: number }[] }[];
    };
    const job = (name: string) => config.scrape_configs.find((c) => c.job_name === name);
    expect(job("stream-processor")?.dns_sd_configs?.[0]?.port).toBe(loadConfig(metricsServerEnv, {}).METRICS_PORT);
    expect(job("pushgateway")?.honor_labels).toBe(true);
  });
});
