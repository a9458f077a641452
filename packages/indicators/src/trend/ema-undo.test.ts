// Ema records the running sum for replace() only while seeding (the sum is constant once warm) and has an inline
// steady-state update(): replace() right after a checkpoint restore, around the end of the warm-up, and from a state
// written by the earlier format (undo sum = current sum once warm) must still equal rebuilding, exactly.
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors.ts";
import { randomBars } from "../testing/fixtures.ts";
import { Ema, type EmaState } from "./ema.ts";

const c = randomBars(400, 31).close;
const P = 20;

function rebuilt(upTo: number, last: number): { out: (number | undefined)[]; json: string } {
  const e = new Ema(P);
  const out: (number | undefined)[] = [];
  for (let i = 0; i < upTo; i++) out.push(e.update(c[i]!));
  out.push(e.update(last));
  for (let i = upTo + 1; i < c.length; i++) out.push(e.update(c[i]!));
  return { out, json: JSON.stringify(e) };
}

describe("Ema undo record", () => {
  for (let cut = 1; cut <= P + 3; cut++) {
    it(`restore after ${cut} bars, replace the last one, continue === rebuild`, () => {
      const a = new Ema(P);
      const out: (number | undefined)[] = [];
      for (let i = 0; i < cut; i++) out.push(a.update(c[i]!));
      const b = Ema.fromJSON(JSON.parse(JSON.stringify(a)));
      const x = c[cut - 1]! * 1.07;
      b.replace(x * 0.9); // a provisional version of the forming bar, then the final one
      out[cut - 1] = b.replace(x);
      for (let i = cut; i < c.length; i++) out.push(b.update(c[i]!));
      const ref = rebuilt(cut - 1, x);
      expect(out.length).toBe(ref.out.length);
      for (let i = 0; i < out.length; i++) expect(Object.is(out[i], ref.out[i]), `bar ${i}`).toBe(true);
    });
  }

  it("a state saved by the earlier format (undo sum = current sum once warm) restores and replaces exactly", () => {
    const a = new Ema(P);
    for (let i = 0; i < 100; i++) a.update(c[i]!);
    const st = JSON.parse(JSON.stringify(a)) as EmaState;
    st.undo[0] = st.sum; // what the earlier code wrote
    const b = Ema.fromJSON(st);
    const got = [b.replace(c[99]! * 0.95)];
    for (let i = 100; i < c.length; i++) got.push(b.update(c[i]!));
    const ref = rebuilt(99, c[99]! * 0.95).out.slice(99);
    for (let i = 0; i < got.length; i++) expect(Object.is(got[i], ref[i]), `bar ${99 + i}`).toBe(true);
  });

  it("invalid input on the inline steady-state path throws and changes nothing", () => {
    const a = new Ema(P);
    for (let i = 0; i < 100; i++) a.update(c[i]!);
    const before = JSON.stringify(a);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1]) {
      expect(() => a.update(bad)).toThrow(InvalidInputError);
      expect(JSON.stringify(a)).toBe(before);
    }
    const y = new Ema(P, { allowNonPositive: true });
    for (let i = 0; i < 100; i++) y.update(c[i]! - 100);
    expect(y.update(-5)).toBeTypeOf("number");
    expect(() => y.update(Number.NEGATIVE_INFINITY)).toThrow(InvalidInputError);
  });
});
