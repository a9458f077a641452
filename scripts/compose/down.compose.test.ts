// The end of the compose stack: the stream processor's replicas stop on SIGTERM within their grace period after
// committing, then `compose down -v` stops every other container without a SIGKILL and leaves nothing of the project.
// Runs last (scripts/compose/vitest.config.ts).
import { createKafkaStats, createLogger } from "@quant/core";
import { describe, expect, it } from "vitest";
import { composeFromEnv, endpoints, PROJECT, readTestEnv, run } from "./project.ts";

const compose = composeFromEnv();
const at = endpoints(readTestEnv());
const label = `label=com.docker.compose.project=${PROJECT}`;
const BAR_TOPICS = ["crypto_ticks", "equities_ticks", "bonds_data"];

/** Exit codes of the project's containers that died since `since` (seconds), by container name. */
function exitCodes(since: number): Map<string, number> {
  const r = run([
    "docker",
    "events",
    "--since",
    String(since),
    "--until",
    String(Math.ceil(Date.now() / 1000)),
    "--filter",
    "type=container",
    "--filter",
    "event=die",
    "--filter",
    label,
    "--format",
    "{{json .Actor.Attributes}}",
  ]);
  expect(r.code, r.output).toBe(0);
  const out = new Map<string, number>();
  for (const line of r.output.trim().split("\n").filter(Boolean)) {
    const a = JSON.parse(line) as { name: string; exitCode: string };
    out.set(a.name, Number(a.exitCode));
  }
  return out;
}

describe.sequential(`compose down of ${PROJECT}`, () => {
  it("SIGTERM: each stream-processor replica finishes, saves its checkpoints, commits and exits 0 within its grace period", async () => {
    const since = Math.floor(Date.now() / 1000);
    const t0 = Date.now();
    const stop = run([...compose, "stop", "stream-processor"]);
    const seconds = (Date.now() - t0) / 1000;
    expect(stop.code, stop.output).toBe(0);
    // stop_grace_period is 45 s: a replica still running then would have been killed (exit 137).
    expect(seconds).toBeLessThan(45);
    const codes = [...exitCodes(since)].filter(([name]) => name.includes("stream-processor"));
    expect(codes.map(([, code]) => code)).toEqual([0, 0]);
    const logs = run([...compose, "logs", "--no-color", "stream-processor"]).output;
    expect(logs.match(/checkpoints saved/g)?.length).toBe(2);
    expect(logs.match(/stream processor stopped/g)?.length).toBe(2);
    // Everything consumed was committed: the group's offsets are the topics' ends.
    const stats = createKafkaStats(
      { brokers: [at.kafka], clientId: "compose-down-test", group: "stream-processor" },
      createLogger("compose-test", "silent"),
    );
    try {
      const k = await stats.read();
      expect(k.ok).toBe(true);
      const lag = k.topics.filter((t) => BAR_TOPICS.includes(t.topic)).map((t) => [t.topic, t.lag]);
      expect(lag).toEqual(BAR_TOPICS.map((t) => [t, 0]));
    } finally {
      await stats.close();
    }
  });

  it("compose down -v stops every container without a SIGKILL and removes containers, volumes and the network", () => {
    const since = Math.floor(Date.now() / 1000);
    const down = run([...compose, "down", "--volumes", "--remove-orphans"]);
    expect(down.code, down.output).toBe(0);
    const codes = exitCodes(since);
    expect(codes.size).toBeGreaterThan(5);
    // 137: still running at the end of its grace period, killed.
    const killed = [...codes].filter(([, code]) => code === 137).map(([name]) => name);
    expect(killed, JSON.stringify(Object.fromEntries(codes))).toEqual([]);
    // Compose's own containers by name (the scraper containers Airflow starts inherit the image's project label; those
    // of failed tries are kept by the DockerOperator, and pruned with the private engine by main.ts).
    const filters: [string[], string][] = [
      [["ps", "--all"], `name=^${PROJECT}-`],
      [["volume", "ls"], label],
      [["network", "ls"], label],
    ];
    for (const [kind, filter] of filters) {
      const left = run(["docker", ...kind, "--quiet", "--filter", filter]);
      expect(left.code, left.output).toBe(0);
      // stdout only: the ids (the CLI may warn on stderr).
      expect({ kind: kind[0], left: left.stdout.trim() }, left.output).toEqual({ kind: kind[0], left: "" });
    }
  });
});
