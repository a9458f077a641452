// Candle widths: tumbling event-time windows aligned to the UTC epoch, written `1s`, `10s`, `1m`, `5m`, `1h`.
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DAY_MS = 86_400_000;

export interface Width {
  /** The label stored with each candle: `1s`, `10s`, `1m`. */
  label: string;
  ms: number;
}

/** Parses one width; it must divide a day so that windows line up with dates (and with each other). */
export function parseWidth(label: string): Width {
  const m = /^(\d{1,5})([smh])$/.exec(label.trim());
  if (!m) throw new Error(`not a candle width: "${label}" (expected e.g. 1s, 10s, 1m)`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms === 0 || DAY_MS % ms !== 0) throw new Error(`candle width ${label} does not divide a day`);
  return { label: `${Number(m[1])}${m[2]}`, ms };
}

/** Parses a comma-separated list, finest first, without repeats. */
export function parseWidths(list: string): Width[] {
  const widths = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseWidth)
    .sort((a, b) => a.ms - b.ms);
  if (widths.length === 0) throw new Error("expected at least one candle width");
  for (let i = 1; i < widths.length; i++)
    if (widths[i]!.ms === widths[i - 1]!.ms) throw new Error(`candle width ${widths[i]!.label} given twice`);
  return widths;
}

export const DEFAULT_WIDTHS: readonly Width[] = parseWidths("1s,10s,1m");

/** Start of the window of `width` ms holding `ts` (epoch ms >= 0). */
export function windowStart(ts: number, width: number): number {
  return ts - (ts % width);
}
