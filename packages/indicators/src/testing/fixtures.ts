// Deterministic synthetic market data for tests and the benchmark (the project generates its own fixtures).

/** mulberry32: small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Bars {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Bar i of `b` as one OHLCV object (what BarIndicators.update takes). */
export function barAt(
  b: Bars,
  i: number,
): { ts: number; open: number; high: number; low: number; close: number; volume: number } {
  return { ts: b.ts[i]!, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]! };
}

/**
 * Random-walk OHLCV bars: log-normal steps (σ ≈ 1.5%), with time gaps (weekends/halts), flat runs (price and OHLC
 * unchanged for up to 40 bars), zero-volume bars, extreme moves (±20-60%), high == low bars, and a slow mean reversion
 * so prices stay within ~[1, 10000].
 */
export function randomBars(n: number, seed = 1, start = 100): Bars {
  const r = prng(seed);
  const b: Bars = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let ts = Date.UTC(2020, 0, 1, 14, 30);
  let price = start;
  let flat = 0;
  for (let i = 0; i < n; i++) {
    ts += r() < 0.02 ? 60_000 * Math.floor(1 + r() * 5000) : 60_000;
    b.ts[i] = ts;
    const open = price;
    if (flat > 0) {
      flat--;
      b.open[i] = b.high[i] = b.low[i] = b.close[i] = price;
      b.volume[i] = r() < 0.5 ? 0 : Math.floor(r() * 100);
      continue;
    }
    if (r() < 0.003) flat = Math.floor(r() * 40);
    let step = (r() + r() + r() - 1.5) * 0.03;
    if (r() < 0.001) step = (r() < 0.5 ? -1 : 1) * (0.2 + r() * 0.4);
    step -= 0.001 * Math.log(price / start);
    price = Math.min(1e4, Math.max(1, price * Math.exp(step)));
    const close = price;
    const hi = Math.max(open, close) * (r() < 0.05 ? 1 : 1 + r() * 0.01);
    const lo = Math.min(open, close) * (r() < 0.05 ? 1 : 1 - r() * 0.01);
    b.open[i] = open;
    b.high[i] = hi;
    b.low[i] = lo;
    b.close[i] = close;
    b.volume[i] = r() < 0.02 ? 0 : Math.floor(r() * 1e6);
  }
  return b;
}
