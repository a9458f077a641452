// The synthetic source: the generator's deliveries, paced to the wall clock (event time = now) or as fast as Kafka
// takes them (event time from --start), stamped with ingestTs when handed to the sender.
import type { Logger } from "@quant/core";
import { type GeneratorCounts, NO_BURSTS, TradeGenerator } from "@quant/trades";
import type { SyntheticRequest } from "./args.ts";
import type { TradeSender } from "./sender.ts";

export interface SyntheticSummary {
  counts: GeneratorCounts;
  /** Messages sent (trades, repeats and corrupt ones). */
  messages: number;
  /** Event time of the first and last delivery. */
  from: number;
  to: number;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSynthetic(
  req: SyntheticRequest,
  deps: { sender: TradeSender; seed: number; signal: AbortSignal; logger: Logger },
): Promise<SyntheticSummary> {
  const log = deps.logger.child({ component: "synthetic" });
  const wallStart = Date.now();
  const durationMs = req.durationSeconds === null ? undefined : req.durationSeconds * 1_000;
  const start = req.start ?? (req.pace === "none" ? wallStart - (durationMs ?? 0) : wallStart);
  const generator = new TradeGenerator({
    seed: req.seed ?? deps.seed,
    symbols: req.symbols.map((symbol) => ({ symbol, assetClass: req.assetClass })),
    ratePerSecond: req.rate,
    start,
    durationMs,
    chaos: req.chaos,
    allowedLatenessMs: req.latenessMs,
    ...(req.steady ? { bursts: NO_BURSTS } : {}),
  });
  log.info(
    { ...req, start: new Date(start).toISOString(), seed: req.seed ?? deps.seed },
    "synthetic trades: generated data, not market data",
  );
  let messages = 0;
  let last = start;
  let nextLog = wallStart + 5_000;
  for (let e = generator.next(); e && !deps.signal.aborted; e = generator.next()) {
    if (req.pace === "realtime") {
      // Never before its event time (a timer may fire a millisecond early); the wait is read once per round, so the
      // clock moving on between a check and the timer never asks for a negative one (Node warns on those).
      const due = wallStart + (e.at - start);
      for (let wait = due - Date.now(); wait > 0; wait = due - Date.now()) await sleep(wait);
    }
    if (e.kind === "trade") deps.sender.add(e.trade.symbol, JSON.stringify({ ...e.trade, ingestTs: Date.now() }));
    else deps.sender.add(e.symbol, e.value);
    messages++;
    last = e.at;
    if ((messages & 1_023) === 0) {
      await deps.sender.backpressure();
      // Let the sender's timers and sends run between busy stretches.
      await new Promise((r) => setImmediate(r));
      if (Date.now() >= nextLog) {
        nextLog += 5_000;
        log.info({ messages, sent: deps.sender.sent, eventTime: new Date(last).toISOString() }, "producing");
      }
    }
  }
  await deps.sender.flush();
  return { counts: { ...generator.counts }, messages, from: start, to: last, ms: Date.now() - wallStart };
}
