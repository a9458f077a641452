import { describe, expect, it } from "vitest";
import { engineLinks, iptablesRestoreArgs, splitRule } from "./netfilter.ts";

// `iptables -S` before and after Docker Engine 20.10 started (seen on this kind of machine), plus a rule of another
// program that appeared meanwhile.
const FILTER_BEFORE = ["-P INPUT ACCEPT", "-P FORWARD ACCEPT", "-P OUTPUT ACCEPT"];
const FILTER_AFTER = [
  "-P INPUT ACCEPT",
  "-P FORWARD DROP",
  "-P OUTPUT ACCEPT",
  "-N DOCKER",
  "-N DOCKER-ISOLATION-STAGE-1",
  "-N DOCKER-USER",
  "-A FORWARD -j DOCKER-USER",
  "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
  "-A FORWARD -i br-0123456789ab ! -o br-0123456789ab -j ACCEPT",
  "-A DOCKER-USER -j RETURN",
  '-A INPUT -i veth-test -m comment --comment "another program" -j ACCEPT',
];

describe("restoring the host's network after a Docker engine", () => {
  it("deletes the engine's rules, then its chains, sets the FORWARD policy back, keeps other rules", () => {
    const args = iptablesRestoreArgs("filter", FILTER_BEFORE, FILTER_AFTER).map((a) => a.join(" "));
    expect(args).toEqual([
      "-t filter -D FORWARD -j DOCKER-USER",
      "-t filter -D FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
      "-t filter -D FORWARD -i br-0123456789ab ! -o br-0123456789ab -j ACCEPT",
      "-t filter -D DOCKER-USER -j RETURN",
      "-t filter -F DOCKER",
      "-t filter -F DOCKER-ISOLATION-STAGE-1",
      "-t filter -F DOCKER-USER",
      "-t filter -X DOCKER",
      "-t filter -X DOCKER-ISOLATION-STAGE-1",
      "-t filter -X DOCKER-USER",
      "-t filter -P FORWARD ACCEPT",
    ]);
  });

  it("leaves what was there before the engine started", () => {
    expect(
      iptablesRestoreArgs(
        "nat",
        ["-N DOCKER", "-A DOCKER -i docker0 -j RETURN"],
        ["-N DOCKER", "-A DOCKER -i docker0 -j RETURN"],
      ),
    ).toEqual([]);
  });

  it("removes only the engine's new bridges", () => {
    expect(engineLinks(["lo", "eth0"], ["lo", "eth0", "docker0", "br-0123456789ab", "veth12ab", "qp-test"])).toEqual([
      "docker0",
      "br-0123456789ab",
    ]);
    expect(engineLinks(["lo", "docker0"], ["lo", "docker0"])).toEqual([]);
  });

  it("splits a rule with a quoted comment into its arguments", () => {
    expect(splitRule('INPUT -m comment --comment "two words" -j ACCEPT')).toEqual([
      "INPUT",
      "-m",
      "comment",
      "--comment",
      "two words",
      "-j",
      "ACCEPT",
    ]);
  });
});
