// The live trade-candle panel: the candle forming now (candles_forming, polled 5 times a second) on top of the last
// closed candles of the chosen symbol and width. Generated trades are labelled as such. State on
// window.__tradeCandles for the end-to-end test.
/* global LightweightCharts */
(() => {
  const $ = (id) => document.getElementById(id);
  const panel = $("trade-candles");
  if (!panel) return;
  const tc = { symbol: null, width: "10s", forming: null, closed: 0, polls: 0 };
  window.__tradeCandles = tc;
  const chart = LightweightCharts.createChart($("tc-chart"), {
    autoSize: true,
    layout: { background: { color: "#161d26" }, textColor: "#d6dde6" },
    grid: { vertLines: { color: "#1e2732" }, horzLines: { color: "#1e2732" } },
    timeScale: { timeVisible: true, secondsVisible: true },
  });
  const series = chart.addSeries(LightweightCharts.CandlestickSeries, {
    upColor: "#26a69a",
    downColor: "#ef5350",
    borderVisible: false,
    wickUpColor: "#26a69a",
    wickDownColor: "#ef5350",
  });
  const bar = (c) => ({ time: Date.parse(c.ts) / 1000, open: c.open, high: c.high, low: c.low, close: c.close });
  const fmt = (x) => (Math.abs(x) >= 10 ? x.toFixed(2) : x.toPrecision(5));
  let lastClosedTs = null;

  async function loadClosed() {
    if (!tc.symbol) return;
    const r = await fetch(`/api/candles?symbol=${encodeURIComponent(tc.symbol)}&width=${tc.width}&limit=120`);
    if (!r.ok) return;
    const body = await r.json();
    series.setData(body.candles.map(bar));
    tc.closed = body.count;
    lastClosedTs = body.candles.at(-1)?.ts ?? null;
  }

  async function poll() {
    tc.polls++;
    const r = await fetch("/api/candles/forming");
    if (!r.ok) return;
    const { candles } = await r.json();
    const symbols = [...new Set(candles.map((c) => c.symbol))];
    const select = $("tc-symbol");
    if (symbols.join() !== [...select.options].map((o) => o.value).join()) {
      select.replaceChildren(...symbols.map((s) => new Option(s, s)));
      if (!symbols.includes(tc.symbol)) tc.symbol = symbols[0] ?? null;
      select.value = tc.symbol ?? "";
      await loadClosed();
    }
    panel.classList.toggle("empty", symbols.length === 0);
    const c = candles.find((x) => x.symbol === tc.symbol && x.width === tc.width);
    if (!c) return;
    // A newer window is forming: the previous one closed; reload the closed candles (written once, after the
    // watermark passed them).
    if (tc.forming && tc.forming.ts !== c.ts) await loadClosed();
    if (lastClosedTs === null || Date.parse(c.ts) > Date.parse(lastClosedTs)) series.update(bar(c));
    tc.forming = c;
    $("tc-ohlc").textContent =
      `${c.width} from ${c.ts.slice(11, 19)}Z  O ${fmt(c.open)}  H ${fmt(c.high)}  L ${fmt(c.low)}  C ${fmt(c.close)}  ` +
      `V ${c.volume.toFixed(4)}  ${c.trades} trades`;
    $("tc-source").textContent =
      c.source === "synthetic" ? "synthetic trades (generated, not market data)" : c.exchange;
  }

  $("tc-symbol").addEventListener("change", (e) => {
    tc.symbol = e.target.value;
    tc.forming = null;
    void loadClosed();
  });
  $("tc-width").addEventListener("change", (e) => {
    tc.width = e.target.value;
    tc.forming = null;
    void loadClosed();
  });
  const tick = () => poll().catch(() => {});
  void tick();
  setInterval(tick, 200);
})();
