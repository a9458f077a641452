// The data-quality panel (docs/quality.md): the worst series of the latest seven days from /api/quality, and markers
// on the chart at the bars the checks flagged (each bar's `quality`, served with the bars). Self-contained: app.js
// hands it the price series and every bar list it draws through window.__dashboard.onBars.
/* global LightweightCharts */
(() => {
  const LABELS = {
    gap: "gap",
    return_outlier: "outlier",
    range_outlier: "range",
    conflict: "conflict",
    stale: "stale",
    zero_volume: "0 vol",
    incomplete: "incomplete",
    off_calendar: "off-cal",
  };
  const COLORS = {
    gap: "#f5c542",
    return_outlier: "#ef5350",
    range_outlier: "#ef5350",
    conflict: "#c77dff",
    stale: "#9aa7b6",
    zero_volume: "#9aa7b6",
    incomplete: "#e07b39",
    off_calendar: "#4fa3f7",
  };
  const dash = window.__dashboard;
  const q = { ready: false, rows: [], markers: [] };
  dash.quality = q;
  let plugin = null;

  const label = (b) =>
    b.quality.flags.map((f) => (f === "gap" ? `gap ${b.quality.missingBefore}` : (LABELS[f] ?? f))).join(" ");

  dash.onBars = (series, bars) => {
    q.markers = bars
      .filter((b) => b.quality && b.quality.flags.length > 0)
      .map((b) => ({
        time: Math.floor(Date.parse(b.ts) / 1000),
        position: "aboveBar",
        shape: "arrowDown",
        color: COLORS[b.quality.flags[0]] ?? "#d6dde6",
        text: label(b),
      }));
    plugin ??= LightweightCharts.createSeriesMarkers(series, []);
    plugin.setMarkers(q.markers);
  };

  function select(symbol, interval) {
    dash.state.interval = interval;
    const sel = document.getElementById("symbol");
    sel.value = symbol;
    sel.dispatchEvent(new Event("change"));
  }

  async function load() {
    const caption = document.getElementById("quality-caption");
    const res = await fetch("/api/quality?limit=8").catch(() => null);
    if (!res?.ok) {
      caption.textContent = `quality report unavailable${res ? `: ${res.status}` : ""}`;
      return;
    }
    const data = await res.json();
    q.rows = data.series;
    const body = document.getElementById("quality").tBodies[0];
    body.innerHTML = "";
    for (const s of data.series) {
      const row = body.insertRow();
      row.className = s.score < 0.9 ? "bad" : "";
      row.title = `${s.expected} expected, ${s.bars} present; worst day ${s.worstDay.tradingDate} (${s.worstDay.score})`;
      for (const text of [`${s.symbol} ${s.interval}`, s.score.toFixed(3), String(s.missing), String(s.flagged)])
        row.insertCell().textContent = text;
      row.addEventListener("click", () => select(s.symbol, s.interval));
    }
    caption.textContent =
      data.count === 0
        ? `no quality rows ${data.from} to ${data.to}`
        : `${data.count} series, ${data.from} to ${data.to}, worst first · click to chart · markers at flagged bars`;
    q.ready = true;
  }

  void load();
  setInterval(() => void load(), 60_000);
})();
