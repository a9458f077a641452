// monitoring/ against the metrics the code registers: every dashboard query names only metrics that exist (so a
// renamed metric fails here, not as an empty panel), every shared metric is charted, and Prometheus scrapes the
// stream processor on its default METRICS_PORT.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, metricsServerEnv, PIPELINE_METRICS } from "@quant/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../stack/paths.ts";
import { metricNamesOf, unknownMetrics } from "./promql.ts";

const MONITORING = join(REPO_ROOT, "monitoring");

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
    for (const panel of dashboard.panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets ?? [])
        expect(metricNamesOf(t.expr).length, `${panel.title}: ${t.expr}`).toBeGreaterThan(0);
    }
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr })));
    expect(await unknownMetrics(exprs)).toEqual([]);
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
