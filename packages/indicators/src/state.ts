// Helpers for JSON-safe indicator state: NaN is stored as null (JSON has no NaN); typed arrays as number[].

export type Num = number | null;

export function enc(x: number): Num {
  return Number.isNaN(x) ? null : x;
}

export function dec(x: Num | undefined): number {
  return x === null || x === undefined ? Number.NaN : x;
}

export function encArr(a: Float64Array): Num[] {
  const out: Num[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = enc(a[i]!);
  return out;
}

export function decArr(a: readonly Num[], length: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = dec(a[i]);
  return out;
}

/** Converts an optional number (absent until warm) to a batch cell (NaN when absent). */
export function cell(x: number | undefined): number {
  return x === undefined ? Number.NaN : x;
}

export type Series = ArrayLike<number>;
