// What monitoring/ may query: the metric names a PromQL expression selects, and the names that exist (the code's
// registry, plus the series Prometheus and the Pushgateway make themselves). Shared by the dashboard and alert tests.
import { exposedMetricNames } from "@quant/core";

/** Series Prometheus (up, ALERTS) and the Pushgateway (push_time_seconds) add themselves. */
export const EXTERNAL_METRICS = new Set(["up", "push_time_seconds", "ALERTS"]);

/** PromQL words that are not metric names. */
const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"]);
const PROMQL_OPERATORS = new Set(["and", "or", "unless"]);

/** The metric names a PromQL expression selects. */
export function metricNamesOf(expr: string): string[] {
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

/** The names of `exprs` that neither the code registers nor Prometheus/the Pushgateway make, as `where: name`. */
export async function unknownMetrics(exprs: { where: string; expr: string }[]): Promise<string[]> {
  const known = await exposedMetricNames();
  return exprs.flatMap(({ where, expr }) =>
    metricNamesOf(expr)
      .filter((n) => !known.has(n) && !EXTERNAL_METRICS.has(n))
      .map((n) => `${where}: ${n}`),
  );
}
