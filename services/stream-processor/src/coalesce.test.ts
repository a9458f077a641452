import { describe, expect, it } from "vitest";
import { serialLane, WriteCoalescer } from "./coalesce.ts";

/** A sink whose calls finish only when released, recording what each call got. */
function gatedSink() {
  const calls: number[][] = [];
  const releases: (() => void)[] = [];
  const sink = (items: number[]) =>
    new Promise<void>((resolve) => {
      calls.push(items);
      releases.push(resolve);
    });
  return { calls, releases, sink };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("WriteCoalescer", () => {
  it("merges the writes that arrive while a command is in flight into the next one", async () => {
    const { calls, releases, sink } = gatedSink();
    const c = new WriteCoalescer<number>(sink);
    const order: string[] = [];
    const a = c.write([1, 2]).then(() => order.push("a"));
    const b = c.write([3]).then(() => order.push("b"));
    const d = c.write([4, 5]).then(() => order.push("d"));
    await tick();
    expect(calls).toEqual([[1, 2]]);
    releases[0]!();
    await a;
    expect(order).toEqual(["a"]);
    await tick();
    expect(calls).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    releases[1]!();
    await Promise.all([b, d]);
    expect(order).toEqual(["a", "b", "d"]);
  });

  it("resolves a write only after the sink acknowledged it", async () => {
    const { releases, sink } = gatedSink();
    const c = new WriteCoalescer<number>(sink);
    let done = false;
    const w = c.write([1]).then(() => {
      done = true;
    });
    await tick();
    expect(done).toBe(false);
    releases[0]!();
    await w;
    expect(done).toBe(true);
  });

  it("fails every write merged into a failed command, and keeps serving later ones", async () => {
    const got: number[][] = [];
    const c = new WriteCoalescer<number>(async (items) => {
      got.push(items);
      await tick();
      if (items.includes(1)) throw new Error("write failed");
    });
    const first = c.write([0]);
    const a = c.write([1]);
    const b = c.write([2]);
    await expect(first).resolves.toBeUndefined();
    await expect(a).rejects.toThrow("write failed");
    await expect(b).rejects.toThrow("write failed");
    await expect(c.write([3])).resolves.toBeUndefined();
    expect(got).toEqual([[0], [1, 2], [3]]);
  });

  it("does not call the sink for an empty write", async () => {
    const { calls, sink } = gatedSink();
    await new WriteCoalescer<number>(sink).write([]);
    expect(calls).toEqual([]);
  });
});

describe("serialLane", () => {
  it("never runs two tasks at once, and runs them in call order despite a failure", async () => {
    const lane = serialLane();
    let running = 0;
    let maxRunning = 0;
    const seen: number[] = [];
    const task =
      (i: number, fail = false) =>
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await tick();
        seen.push(i);
        running--;
        if (fail) throw new Error(`task ${i}`);
        return i;
      };
    const results = await Promise.allSettled([lane(task(1)), lane(task(2, true)), lane(task(3))]);
    expect(seen).toEqual([1, 2, 3]);
    expect(maxRunning).toBe(1);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});
