// What a Docker engine leaves in the host's network set-up after it stops (docker0 and its br-* bridges, its
// iptables chains and rules, the FORWARD policy, ip_forward), and the commands that put the host back as it was.
// The snapshot is taken before the engine starts; only what appeared since is removed.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

export const NETFILTER_TABLES = ["filter", "nat"] as const;
type Table = (typeof NETFILTER_TABLES)[number];

export interface HostNetwork {
  links: string[];
  /** `iptables -t TABLE -S` of each table, one rule or chain per line. */
  rules: Record<Table, string[]>;
  ipForward: string;
}

const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout : "";
}

export function snapshotHostNetwork(): HostNetwork {
  const links = run("ip", ["-o", "link", "show"])
    .split("\n")
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
  const rules = Object.fromEntries(
    NETFILTER_TABLES.map((t) => [t, run("iptables", ["-t", t, "-S"]).split("\n").filter(Boolean)]),
  ) as Record<Table, string[]>;
  let ipForward = "";
  try {
    ipForward = readFileSync(IP_FORWARD, "utf8").trim();
  } catch {}
  return { links, rules, ipForward };
}

/** A rule or chain of a Docker engine: it names one of its chains (DOCKER…) or bridges (docker0, br-…). */
const ENGINE_RULE = /DOCKER|docker0|br-[0-9a-f]{12}/;

/**
 * iptables argument lists that undo what a Docker engine added between two snapshots of one table: its rules deleted
 * (-D), its chains flushed and deleted (-X) once no rule jumps to them, a changed policy set back (-P). Anything else
 * that appeared meanwhile (another program's rules) is left alone.
 */
export function iptablesRestoreArgs(table: Table, before: readonly string[], after: readonly string[]): string[][] {
  const had = new Set(before);
  const out: string[][] = [];
  const added = after.filter((l) => !had.has(l) && (l.startsWith("-P ") || ENGINE_RULE.test(l)));
  for (const line of added.filter((l) => l.startsWith("-A ")))
    out.push(["-t", table, "-D", ...splitRule(line.slice(3))]);
  const chains = added.filter((l) => l.startsWith("-N ")).map((l) => l.slice(3).trim());
  for (const chain of chains) out.push(["-t", table, "-F", chain]);
  for (const chain of chains) out.push(["-t", table, "-X", chain]);
  const policies = new Map(before.filter((l) => l.startsWith("-P ")).map((l) => [l.split(" ")[1], l.split(" ")[2]]));
  for (const line of added.filter((l) => l.startsWith("-P "))) {
    const [, chain, policy] = line.split(" ");
    const old = policies.get(chain);
    if (old && old !== policy) out.push(["-t", table, "-P", chain!, old]);
  }
  return out;
}

/** Bridges that appeared since the snapshot and belong to a Docker engine (docker0 and its networks' br-…). */
export function engineLinks(before: readonly string[], after: readonly string[]): string[] {
  const had = new Set(before);
  return after.filter((l) => !had.has(l) && (l === "docker0" || /^br-[0-9a-f]{12}$/.test(l)));
}

/** Puts the host back as the snapshot found it; returns what it removed, for the log. */
export function restoreHostNetwork(before: HostNetwork): string[] {
  const now = snapshotHostNetwork();
  const done: string[] = [];
  for (const link of engineLinks(before.links, now.links)) {
    if (spawnSync("ip", ["link", "delete", link]).status === 0) done.push(`link ${link}`);
  }
  for (const table of NETFILTER_TABLES) {
    for (const args of iptablesRestoreArgs(table, before.rules[table], now.rules[table])) {
      if (spawnSync("iptables", args).status === 0) done.push(`iptables ${args.join(" ")}`);
    }
  }
  if (before.ipForward && now.ipForward !== before.ipForward) {
    writeFileSync(IP_FORWARD, `${before.ipForward}\n`);
    done.push(`ip_forward ${before.ipForward}`);
  }
  return done;
}

/** Splits one line of `iptables -S` into arguments (double quotes group words, as in comments). */
export function splitRule(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) words.push(m[1] !== undefined ? m[1] : m[2]!);
  return words;
}
