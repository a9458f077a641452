// The batch handler: trades of one partition -> the partition's CandleAggregator -> outputs for the writer lane.
//
// Exactly-once in effect, without Kafka transactions (the outputs are MongoDB documents, which a Kafka transaction
// cannot cover): each partition's aggregator state is saved, with the offset it reflects, in one MongoDB document
// (candle_state), after the outputs it implies; the group's offset is committed only after that. Whoever owns the
// partition next (this process after a crash, or another replica) loads the state and replays from its offset:
// the aggregator's decisions depend only on the trades in partition order, so the replay yields the same candles,
// bars and dead letters, and the writes are idempotent (deterministic ids, same content). Dead letters and bars may
// be sent twice after a crash (at-least-once); the stream processor recognises the repeated bars.
import {
  barMessage,
  candleStateCollection,
  candleStateId,
  deadLetter,
  type IncomingBatch,
  isoUtc,
  type Logger,
  type MongoHandle,
  type OutgoingMessage,
  type Trade,
  topicForAsset,
} from "@quant/core";
import {
  type AggregatorState,
  BAR_WIDTH_MS,
  CandleAggregator,
  type CandleRules,
  candleBar,
  candleDocument,
  decodeTrade,
  formingCandlesDocument,
  RejectedTrade,
  type Width,
} from "@quant/trades";
import type { BatchOutputs, OutputWriter } from "./outputs.ts";

interface PartitionState {
  topic: string;
  partition: number;
  aggregator: CandleAggregator;
  /** The next offset to apply; null until the first batch (no saved state). */
  nextOffset: number | null;
  /** Date.now() of the last state handed to the writer. */
  savedAt: number;
  /** A seek back to the saved offset was asked for (once: retention may have deleted what lay there). */
  sought: boolean;
  /** Trades applied since the last state handed to the writer. */
  unsaved: boolean;
}

/** What became of a batch's messages, and what it produced. */
export interface TradeCounts {
  /** Messages applied or refused by this batch (those after the saved state). */
  messages: number;
  /** Messages the saved state already holds (a replay from an older committed offset after a restart). */
  replayed: number;
  applied: number;
  duplicates: number;
  late: number;
  future: number;
  /** Not a trade v1 (empty, not JSON, schema). */
  rejected: number;
  candles: number;
  bars: number;
}

export const zeroCounts = (): TradeCounts => ({
  messages: 0,
  replayed: 0,
  applied: 0,
  duplicates: 0,
  late: 0,
  future: 0,
  rejected: 0,
  candles: 0,
  bars: 0,
});

export interface TradeBatchStats extends TradeCounts {
  topic: string;
  partition: number;
  checkpoint: boolean;
  /** Applying the batch (decode, aggregate, documents). */
  ms: number;
  /** Waiting for the writer lane to catch up (backpressure). */
  waitMs: number;
  /** With collectLatencies: arrival (ingestTs) to this batch's processing, ms, per applied trade. */
  arrivalLagMs?: number[];
}

export interface BatchControlLike {
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isStale(): boolean;
}

export interface CandleProcessorDeps {
  db: MongoHandle["db"];
  writer: OutputWriter;
  seek(topic: string, partition: number, offset: string): void;
  aggregator: CandleRules;
  /** Bars of 1m candles go here; null: the bar topic of their asset class. */
  barTopic: string | null;
  checkpointIntervalMs: number;
  forming: boolean;
  /** Keep every applied trade's ingestTs for latency (benchmarks, the latency histogram). */
  collectLatencies?: boolean;
  logger: Logger;
  now?: () => Date;
}

/**
 * Batches queued for the writer beyond which the consumer waits for it. Queued outputs are per window, not per trade
 * (candles, forming candles, a state now and then), and a round of the lane writes all of them together: a long
 * queue makes few large rounds, which is what a backlog on a slow store needs.
 */
const MAX_QUEUED_BATCHES = 1_000;

export class CandleProcessor {
  private readonly deps: CandleProcessorDeps;
  private readonly log: Logger;
  private readonly states = new Map<string, PartitionState>();
  private readonly widthByMs: Map<number, Width>;
  private readonly now: () => Date;
  /** After a group join or a failed write: states reload from MongoDB once the writer has drained. */
  private reloadPending = false;

  constructor(deps: CandleProcessorDeps) {
    this.deps = deps;
    this.log = deps.logger.child({ component: "candles" });
    this.widthByMs = new Map(deps.aggregator.widths.map((w) => [w.ms, w]));
    this.now = deps.now ?? (() => new Date());
  }

  /** On every group join: forget the in-memory states; each partition resumes from its saved state. */
  onAssignment(assigned: Record<string, number[]>): void {
    this.log.info({ assigned, dropped: this.states.size }, "partitions assigned; window states reload from MongoDB");
    this.states.clear();
    this.reloadPending = true;
  }

  async handleBatch(batch: IncomingBatch, control: BatchControlLike): Promise<TradeBatchStats | null> {
    if (batch.messages.length === 0 || control.isStale()) return null;
    const writer = this.deps.writer;
    if (writer.failed) {
      // Outputs were lost with the failed write: every partition replays from its saved state.
      this.onAssignment({});
      writer.reset();
    }
    if (this.reloadPending) {
      await writer.idle();
      this.reloadPending = false;
    }
    const key = candleStateId(batch.topic, batch.partition);
    let ps = this.states.get(key);
    if (!ps) {
      ps = await this.load(batch.topic, batch.partition);
      this.states.set(key, ps);
    }
    const started = performance.now();
    const messages = batch.messages;
    let start = 0;
    if (ps.nextOffset !== null) {
      const first = Number(messages[0]!.offset);
      if (first > ps.nextOffset && !ps.sought) {
        // Kafka is ahead of the saved state (its commit came from elsewhere): go back to where the state stands.
        ps.sought = true;
        this.deps.seek(batch.topic, batch.partition, String(ps.nextOffset));
        this.log.info(
          { partition: batch.partition, from: first, to: ps.nextOffset },
          "seeking back to the saved state",
        );
        return null;
      }
      if (first > ps.nextOffset)
        this.log.warn(
          { partition: batch.partition, missing: `${ps.nextOffset}..${first - 1}` },
          "trades after the saved state are gone from Kafka (retention): continuing without them",
        );
      // Replayed messages the saved state already holds.
      while (start < messages.length && Number(messages[start]!.offset) < ps.nextOffset) start++;
    }
    const last = messages[messages.length - 1]!;
    const stats: TradeBatchStats = {
      ...zeroCounts(),
      topic: batch.topic,
      partition: batch.partition,
      messages: messages.length - start,
      replayed: start,
      checkpoint: false,
      ms: 0,
      waitMs: 0,
    };
    if (start === messages.length) {
      // Wholly before the saved state (the group's offset is behind it: a crash between a state and its commit, or
      // expired group offsets): nothing to apply, and the state's position stays; taking this batch's end as the
      // position would apply the next replayed batch to a state already past it, all of it "late". The fetcher
      // jumps to the state's position (never beyond the partition's end) instead of reading the rest of the replay.
      const end = Number(batch.highWatermark);
      if (ps.nextOffset! > end)
        this.log.warn(
          { partition: batch.partition, savedNextOffset: ps.nextOffset, partitionEnd: end },
          "the saved window state is past the partition's end (was the topic recreated?): its trades up to the saved offset are skipped; delete candle_state to start over",
        );
      control.resolveOffset(String(Math.min(ps.nextOffset!, end) - 1));
      this.log.debug(stats, "batch");
      return stats;
    }
    const processedTs = this.now();
    const agg = ps.aggregator;
    const deadLetters: OutgoingMessage[] = [];
    const applied: number[] | null = this.deps.collectLatencies ? [] : null;
    for (let i = start; i < messages.length; i++) {
      const m = messages[i]!;
      let t: Trade;
      try {
        t = decodeTrade(m.value, m.key);
      } catch (err) {
        if (!(err instanceof RejectedTrade)) throw err;
        stats.rejected++;
        deadLetters.push(deadLetter(m, err.kind, err.message, processedTs));
        continue;
      }
      const outcome = agg.apply(t);
      if (outcome === "applied") {
        stats.applied++;
        applied?.push(t.ingestTs);
      } else if (outcome === "duplicate") stats.duplicates++;
      else {
        stats[outcome]++;
        deadLetters.push(deadLetter(m, outcome, this.reason(outcome, t, agg), processedTs));
      }
    }
    ps.nextOffset = Number(last.offset) + 1;
    if (applied) {
      const now = Date.now();
      stats.arrivalLagMs = applied.map((t) => now - t);
    }

    const outputs: BatchOutputs = {
      deadLetters,
      bars: new Map(),
      candles: [],
      forming: [],
      checkpoint: null,
      applied,
    };
    for (const c of agg.drainClosed()) {
      const meta = agg.meta(c.symbol)!;
      outputs.candles.push(candleDocument(c, this.widthByMs.get(c.width)!, meta, processedTs));
      if (c.width === BAR_WIDTH_MS) {
        const bar = candleBar(c, meta);
        const topic = this.deps.barTopic ?? topicForAsset(bar.assetClass);
        const list = outputs.bars.get(topic);
        if (list) list.push(barMessage(bar));
        else outputs.bars.set(topic, [barMessage(bar)]);
        stats.bars++;
      }
    }
    stats.candles = outputs.candles.length;
    const forming = agg.drainForming();
    if (this.deps.forming)
      for (const [symbol, candles] of Map.groupBy(forming, (c) => c.symbol))
        outputs.forming.push(
          formingCandlesDocument(symbol, candles, (ms) => this.widthByMs.get(ms)!, agg.meta(symbol)!, processedTs),
        );
    ps.unsaved = true;
    if (Date.now() - ps.savedAt >= this.deps.checkpointIntervalMs) {
      outputs.checkpoint = this.checkpointOf(ps);
      stats.checkpoint = true;
    }
    // Past this batch for the fetcher; the group's committed offset only moves with a saved state.
    control.resolveOffset(last.offset);
    writer.enqueue(outputs);
    stats.ms = performance.now() - started;
    stats.waitMs = await writer.below(MAX_QUEUED_BATCHES, () => control.heartbeat());
    this.log.debug(stats, "batch");
    return stats;
  }

  /**
   * Between batches (a timer calls it): saves the state of partitions with trades applied since their last save
   * once it is checkpointIntervalMs old, so a quiet partition's offset and state do not stay behind. Batches run
   * their apply loops without awaiting, so the state saved here is always that after a whole batch.
   */
  tick(): number {
    if (this.deps.writer.failed) return 0;
    const due = [...this.states.values()].filter(
      (ps) => ps.unsaved && Date.now() - ps.savedAt >= this.deps.checkpointIntervalMs,
    );
    for (const ps of due) this.deps.writer.enqueue(checkpointOnly(this.checkpointOf(ps)));
    return due.length;
  }

  /** For a clean stop, once no batch is in flight: the state of every partition, after all outputs. */
  async flush(): Promise<number> {
    const states = [...this.states.values()].filter((s) => s.nextOffset !== null);
    for (const ps of states) this.deps.writer.enqueue(checkpointOnly(this.checkpointOf(ps)));
    await this.deps.writer.idle();
    if (this.deps.writer.failed) throw this.deps.writer.failed;
    return states.length;
  }

  private checkpointOf(ps: PartitionState): BatchOutputs["checkpoint"] {
    ps.savedAt = Date.now();
    ps.unsaved = false;
    const offset = String(ps.nextOffset);
    return {
      doc: {
        _id: candleStateId(ps.topic, ps.partition),
        topic: ps.topic,
        partition: ps.partition,
        nextOffset: offset,
        state: JSON.stringify(ps.aggregator.toJSON()),
        updatedAt: this.now(),
      },
      commit: { topic: ps.topic, partition: ps.partition, offset },
    };
  }

  private async load(topic: string, partition: number): Promise<PartitionState> {
    const doc = await candleStateCollection(this.deps.db).findOne({ _id: candleStateId(topic, partition) });
    const aggregator = doc
      ? CandleAggregator.fromJSON(JSON.parse(doc.state) as AggregatorState, this.deps.aggregator)
      : new CandleAggregator(this.deps.aggregator);
    this.log.info(
      { topic, partition, nextOffset: doc?.nextOffset ?? null, ...aggregator.stats() },
      doc ? "window state loaded" : "no saved window state: starting empty",
    );
    return {
      topic,
      partition,
      aggregator,
      nextOffset: doc ? Number(doc.nextOffset) : null,
      savedAt: Date.now(),
      sought: false,
      unsaved: false,
    };
  }

  private reason(outcome: "late" | "future", t: Trade, agg: CandleAggregator): string {
    if (outcome === "future")
      return `trade ${t.id} of ${t.symbol}: event time ${isoUtc(t.ts)} is ${t.ts - t.ingestTs} ms ahead of its arrival (${isoUtc(t.ingestTs)}); at most ${agg.maxFutureMs} ms allowed`;
    const newest = agg.newest(t.symbol);
    return `trade ${t.id} of ${t.symbol} at ${isoUtc(t.ts)} is ${newest - t.ts} ms behind the symbol's newest trade (${isoUtc(newest)}): beyond the allowed lateness of ${agg.allowedLatenessMs} ms`;
  }
}

const checkpointOnly = (checkpoint: BatchOutputs["checkpoint"]): BatchOutputs => ({
  deadLetters: [],
  bars: new Map(),
  candles: [],
  forming: [],
  checkpoint,
  applied: null,
});
