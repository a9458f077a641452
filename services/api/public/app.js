// The dashboard: lightweight-charts v5 (standalone build, global LightweightCharts), no bundler.
// Candles + volume, SMA/EMA/Bollinger overlays on the price pane, RSI and MACD panes; live bars by server-sent
// events; a provenance badge (generated data is marked synthetic); yield curve, cross-asset (slopes, correlations,
// betas) and pipeline panels. The chart's data is on window.__dashboard for the end-to-end test.
/* global LightweightCharts */

const LC = LightweightCharts;
const $ = (id) => document.getElementById(id);
const toTime = (iso) => Math.floor(Date.parse(iso) / 1000);
const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(d));

const state = {
  symbol: null,
  interval: null,
  symbols: [],
  bars: [],
  source: null,
  provenance: null,
  crossAsset: null,
  liveBars: 0,
  loads: 0,
};

const chart = LC.createChart($("chart"), {
  autoSize: true,
  layout: { background: { color: "#161d26" }, textColor: "#d6dde6", panes: { separatorColor: "#2a3644" } },
  grid: { vertLines: { color: "#1e2732" }, horzLines: { color: "#1e2732" } },
  timeScale: { timeVisible: true, secondsVisible: false },
  crosshair: { mode: LC.CrosshairMode.Normal },
});

const candles = chart.addSeries(LC.CandlestickSeries, {
  upColor: "#26a69a",
  downColor: "#ef5350",
  borderVisible: false,
  wickUpColor: "#26a69a",
  wickDownColor: "#ef5350",
});
const volume = chart.addSeries(LC.HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "" });
volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
const line = (color, pane = 0, extra = {}) =>
  chart.addSeries(
    LC.LineSeries,
    { color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false, ...extra },
    pane,
  );
const overlays = {
  sma20: line("#f5c542"),
  sma50: line("#e07b39"),
  sma200: line("#e8e8e8", 0, { lineWidth: 2 }),
  ema20: line("#4fa3f7"),
  bbUpper: line("#9c7cf4", 0, { lineStyle: LC.LineStyle.Dashed }),
  bbMiddle: line("#9c7cf4", 0, { lineStyle: LC.LineStyle.Dotted }),
  bbLower: line("#9c7cf4", 0, { lineStyle: LC.LineStyle.Dashed }),
};
const rsi = line("#c77dff", 1, { lastValueVisible: true });
const macd = line("#4fa3f7", 2);
const macdSignal = line("#f5c542", 2);
const macdHist = chart.addSeries(LC.HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, 2);
const panes = chart.panes();
panes[1]?.setHeight(110);
panes[2]?.setHeight(110);

const overlayGroups = {
  "ov-sma": ["sma20", "sma50", "sma200"],
  "ov-ema": ["ema20"],
  "ov-bb": ["bbUpper", "bbMiddle", "bbLower"],
};
for (const [id, fields] of Object.entries(overlayGroups)) {
  $(id).addEventListener("change", (e) => {
    for (const f of fields) overlays[f].applyOptions({ visible: e.target.checked });
  });
}

function point(bar, field) {
  const v = bar[field];
  return v === null || v === undefined ? { time: toTime(bar.ts) } : { time: toTime(bar.ts), value: v };
}
function candleOf(b) {
  return { time: toTime(b.ts), open: b.open, high: b.high, low: b.low, close: b.close };
}
function volumeOf(b) {
  return { time: toTime(b.ts), value: b.volume, color: b.close >= b.open ? "#26a69a55" : "#ef535055" };
}
function histOf(b) {
  const p = point(b, "macdHist");
  if (p.value !== undefined) p.color = p.value >= 0 ? "#26a69a" : "#ef5350";
  return p;
}

function setAll(bars) {
  candles.setData(bars.map(candleOf));
  volume.setData(bars.map(volumeOf));
  for (const [f, s] of Object.entries(overlays)) s.setData(bars.map((b) => point(b, f)));
  rsi.setData(bars.map((b) => point(b, "rsi14")));
  macd.setData(bars.map((b) => point(b, "macd")));
  macdSignal.setData(bars.map((b) => point(b, "macdSignal")));
  macdHist.setData(bars.map(histOf));
}

function updateOne(b) {
  candles.update(candleOf(b));
  volume.update(volumeOf(b));
  for (const [f, s] of Object.entries(overlays)) s.update(point(b, f));
  rsi.update(point(b, "rsi14"));
  macd.update(point(b, "macd"));
  macdSignal.update(point(b, "macdSignal"));
  macdHist.update(histOf(b));
}

function legend(b) {
  if (!b) {
    $("legend").textContent = `${state.symbol} ${state.interval}: no bars`;
    return;
  }
  $("legend").innerHTML =
    `<b>${state.symbol}</b> ${state.interval} · ${b.ts.replace("T", " ").replace(":00.000Z", "Z")} · ` +
    `O ${fmt(b.open)} H ${fmt(b.high)} L ${fmt(b.low)} C ${fmt(b.close)} · ` +
    `<span style="color:#f5c542">SMA20 ${fmt(b.sma20)}</span> <span style="color:#e8e8e8">SMA200 ${fmt(b.sma200)}</span> ` +
    `<span style="color:#4fa3f7">EMA20 ${fmt(b.ema20)}</span> ` +
    `<span style="color:#c77dff">RSI ${fmt(b.rsi14, 1)}</span> MACD ${fmt(b.macd, 3)}`;
}

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${(await res.json().catch(() => ({}))).error ?? ""}`);
  return res.json();
}

async function loadSeries() {
  const { symbol, interval } = state;
  const data = await getJson(`/api/bars?symbol=${encodeURIComponent(symbol)}&interval=${interval}&limit=1000`);
  state.bars = data.bars;
  state.provenance = data.provenance;
  showProvenance(
    $("provenance"),
    data.provenance,
    `${data.source === "rollup" ? "rollup of " : ""}${data.mixed ? "partly " : ""}`,
  );
  setAll(state.bars);
  window.__dashboard.onBars?.(candles, state.bars);
  chart.timeScale().fitContent();
  legend(state.bars.at(-1));
  state.loads++;
  connectLive();
}

const PROVENANCE = {
  synthetic: ["synthetic", "generated data (synthetic market), not recorded prices"],
  replay: ["recorded", "real recorded data (replay of Yahoo responses and real data files)"],
  yahoo: ["live Yahoo", "scraped from Yahoo Finance"],
};

/** The badge beside the symbol: where the shown bars come from; synthetic stands out. */
function showProvenance(el, provenance, prefix = "") {
  const [label, title] = PROVENANCE[provenance] ?? ["", ""];
  el.textContent = provenance ? `${prefix}${label}` : "";
  el.title = title;
  el.className = `badge ${provenance ?? "none"}`;
}

function connectLive() {
  state.source?.close();
  const src = new EventSource(`/api/stream?symbol=${encodeURIComponent(state.symbol)}&interval=${state.interval}`);
  state.source = src;
  src.addEventListener("ready", () => {
    $("live").textContent = "live";
    $("live").className = "live on";
  });
  src.addEventListener("bars", (e) => {
    for (const b of JSON.parse(e.data)) {
      const last = state.bars.at(-1);
      if (last && Date.parse(b.ts) < Date.parse(last.ts)) continue;
      if (last && last.ts === b.ts) state.bars[state.bars.length - 1] = b;
      else state.bars.push(b);
      updateOne(b);
      state.liveBars++;
    }
    window.__dashboard.onBars?.(candles, state.bars);
    legend(state.bars.at(-1));
  });
  src.onerror = () => {
    $("live").textContent = "live: reconnecting";
    $("live").className = "live off";
  };
}

function fillIntervals() {
  const s = state.symbols.find((x) => x.symbol === state.symbol);
  const sel = $("interval");
  sel.innerHTML = "";
  for (const i of s?.intervals ?? ["1d"]) {
    const rollup = s?.rollups.includes(i) && !s?.scraped.includes(i);
    sel.add(new Option(rollup ? `${i} (rollup)` : i, i));
  }
  state.interval = s?.intervals.includes(state.interval) ? state.interval : (s?.intervals.at(-1) ?? "1d");
  sel.value = state.interval;
}

async function loadCurve() {
  const maturities = [
    ["^IRX", "13w", 0.25],
    ["^FVX", "5y", 5],
    ["^TNX", "10y", 10],
    ["^TYX", "30y", 30],
  ];
  const points = maturities
    .map(([sym, label, years]) => {
      const s = state.symbols.find((x) => x.symbol === sym);
      return s?.latest ? { label, years, y: s.latest.close, ts: s.latest.ts } : null;
    })
    .filter(Boolean);
  const svg = $("curve");
  if (points.length < 2) {
    svg.innerHTML = '<text x="10" y="75">no bond yields in the store yet</text>';
    return;
  }
  const ys = points.map((p) => p.y);
  const lo = Math.min(...ys) - 0.2;
  const hi = Math.max(...ys) + 0.2;
  const x = (yrs) => 25 + (Math.sqrt(yrs) / Math.sqrt(30)) * 235;
  const y = (v) => 130 - ((v - lo) / (hi - lo)) * 115;
  const path = points.map((p, i) => `${i ? "L" : "M"}${x(p.years).toFixed(1)},${y(p.y).toFixed(1)}`).join(" ");
  svg.innerHTML =
    `<path d="${path}" fill="none" stroke="#4fa3f7" stroke-width="2"/>` +
    points
      .map(
        (p) =>
          `<circle cx="${x(p.years)}" cy="${y(p.y)}" r="3" fill="#4fa3f7"/>` +
          `<text x="${x(p.years) - 8}" y="146">${p.label}</text>` +
          `<text x="${x(p.years) - 10}" y="${y(p.y) - 6}">${p.y.toFixed(2)}%</text>`,
      )
      .join("");
  $("curve-caption").textContent = `latest daily closes, ${points[0].ts.slice(0, 10)}`;
  const sources = new Set(
    maturities.map(([sym]) => state.symbols.find((x) => x.symbol === sym)?.latest?.source).filter(Boolean),
  );
  showProvenance($("curve-provenance"), sources.has("synthetic") ? "synthetic" : [...sources][0]);
}

let crossChart = null;
let crossSeries = null;
const CROSS_LABEL = {
  slope: "yield-curve slope (pp)",
  correlation: "rolling return correlation",
  beta: "rolling beta",
};

/** The cross-asset panel: every series the cross-asset job wrote (slopes, correlations, betas), one at a time. */
async function loadCrossAssetList() {
  const { details } = await getJson("/api/cross-asset/series").catch(() => ({ details: [] }));
  const sel = $("xa-series");
  sel.innerHTML = "";
  for (const d of details) sel.add(new Option(`${d.kind}: ${d.a} ${d.kind === "slope" ? "−" : "vs"} ${d.b}`, d.series));
  state.crossAssetList = details;
  if (details.length === 0) {
    $("xa-caption").textContent = "no cross-asset series yet (written by the cross-asset job)";
    return;
  }
  const preferred = details.find((d) => d.series === "slope:^TNX-^IRX|1d") ?? details[0];
  sel.value = preferred.series;
  sel.onchange = () => void loadCrossAsset(sel.value);
  await loadCrossAsset(preferred.series);
}

async function loadCrossAsset(series) {
  const d = state.crossAssetList.find((x) => x.series === series);
  // The API caps a range at API_MAX_BARS points: the last 5 years of the series at most.
  const to = new Date(Date.parse(d.to) + 86_400_000);
  const from = new Date(Math.max(Date.parse(d.from), to.getTime() - 5 * 365 * 86_400_000));
  const data = await getJson(
    `/api/cross-asset?series=${encodeURIComponent(series)}&from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`,
  );
  const points = data.points.filter((p) => p.value !== null).map((p) => ({ time: toTime(p.ts), value: p.value }));
  crossChart ??= LC.createChart($("xa-chart"), {
    autoSize: true,
    layout: { background: { color: "#161d26" }, textColor: "#7d8a99" },
    grid: { vertLines: { visible: false }, horzLines: { color: "#1e2732" } },
  });
  if (crossSeries) crossChart.removeSeries(crossSeries);
  crossSeries = crossChart.addSeries(LC.BaselineSeries, { baseValue: { type: "price", price: 0 }, lineWidth: 1 });
  crossSeries.setData(points);
  crossChart.timeScale().fitContent();
  state.crossAsset = { series, points: points.length, source: data.source };
  $("xa-caption").textContent =
    `${CROSS_LABEL[d.kind] ?? d.kind}, ${points.length} daily points ${data.points[0]?.ts.slice(0, 10) ?? ""}..${data.points.at(-1)?.ts.slice(0, 10) ?? ""}`;
  showProvenance($("xa-provenance"), data.source);
}

async function loadPipeline() {
  const [p, h] = await Promise.all([
    getJson("/api/pipeline").catch(() => null),
    getJson("/api/health").catch(() => null),
  ]);
  const body = $("pipeline").tBodies[0];
  body.innerHTML = "";
  if (p?.ok) {
    for (const t of p.topics)
      body.insertRow().innerHTML = `<td>${t.topic}</td><td>${t.retained}</td><td>${t.perSecond === null ? "…" : fmt(t.perSecond, 1)}</td><td>${t.lag ?? "–"}</td>`;
    $("pipeline-caption").textContent =
      `group ${p.group}: total lag ${p.totalLag ?? "–"}, dead letters retained ${p.deadLetters ?? "–"} · ${p.at.slice(11, 19)}Z`;
  } else {
    $("pipeline-caption").textContent = p?.disabled
      ? "Kafka stats disabled (API_KAFKA_STATS=false)"
      : `Kafka unavailable: ${p?.error ?? "no answer"}`;
  }
  const hb = $("health").tBodies[0];
  hb.innerHTML = "";
  for (const a of h?.assets ?? [])
    hb.insertRow().innerHTML = `<td>${a.assetClass}</td><td>${a.topic}</td><td>${a.lastBarTs ? a.lastBarTs.slice(0, 16).replace("T", " ") : "–"}</td><td>${a.withBars}/${a.series}</td>`;
}

async function main() {
  const { symbols } = await getJson("/api/symbols");
  state.symbols = symbols;
  const params = new URLSearchParams(location.search);
  const sel = $("symbol");
  for (const s of symbols) {
    const generated = Object.values(s.sources ?? {}).some((p) => p === "synthetic");
    const all = Object.values(s.sources ?? {}).every((p) => p === "synthetic");
    const mark = !generated ? "" : all ? " · synthetic" : " · partly synthetic";
    sel.add(new Option(`${s.symbol} (${s.assetClass})${mark}`, s.symbol));
  }
  state.symbol = params.get("symbol") ?? symbols.find((s) => s.latest)?.symbol ?? symbols[0]?.symbol;
  state.interval = params.get("interval");
  sel.value = state.symbol;
  fillIntervals();
  sel.addEventListener("change", () => {
    state.symbol = sel.value;
    fillIntervals();
    void loadSeries();
  });
  $("interval").addEventListener("change", (e) => {
    state.interval = e.target.value;
    void loadSeries();
  });
  await loadSeries();
  await Promise.all([loadCurve(), loadCrossAssetList(), loadPipeline()]);
  setInterval(() => void loadPipeline(), 5_000);
  window.__dashboard.ready = true;
}

window.__dashboard = {
  ready: false,
  state,
  candles: () => candles.data(),
  overlay: (field) => (overlays[field] ?? { data: () => [] }).data(),
  crossAsset: () => (crossSeries ? crossSeries.data() : []),
  rsi: () => rsi.data(),
  macd: () => macd.data(),
};
main().catch((err) => {
  $("legend").textContent = `error: ${err.message}`;
  window.__dashboard.error = String(err);
});
