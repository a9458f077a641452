// The aggregator's outputs, written in one lane (FerretDB 1.24 deadlocks on concurrent replacing commands), in the
// order that makes a crash harmless:
//   dead letters -> bars (Kafka) -> closed candles (MongoDB) -> window states -> offset commits,
// preceded by the forming candles, which no correctness depends on (they are overwritten) and which the dashboard
// waits for: first in each round, so arrival -> visible does not include the other writes.
// A window state (with the offset it reflects) is written only after every output of the batches it covers, and an
// offset is committed only after its state: after a crash the aggregator resumes from a state whose outputs are all
// stored, and replays to the same candles (deterministic), which the idempotent writes then find already there.
// The batch loop does not wait for this lane (only when it falls far behind): outputs queued while a write is in
// flight go out together in the next round, so a slow command costs one round, not one per batch.
import {
  type CandleDocument,
  type CandleStateDocument,
  candleStateCollection,
  candlesCollection,
  type FormingCandlesDocument,
  formingCandlesCollection,
  type Logger,
  type MongoHandle,
  type OutgoingMessage,
  type ProducerHandle,
  replaceById,
  rewriteById,
  writeCandles,
} from "@quant/core";

export interface Checkpoint {
  doc: CandleStateDocument;
  commit: { topic: string; partition: number; offset: string };
}

/** What one batch produced. */
export interface BatchOutputs {
  deadLetters: OutgoingMessage[];
  /** Bar messages per bar topic. */
  bars: Map<string, OutgoingMessage[]>;
  candles: CandleDocument[];
  forming: FormingCandlesDocument[];
  checkpoint: Checkpoint | null;
  /** ingestTs of the trades applied (latency samples: arrival to visible), when collected. */
  applied: number[] | null;
}

export interface RoundStats {
  batches: number;
  deadLetters: number;
  bars: number;
  candles: number;
  forming: number;
  checkpoints: number;
  /** Bytes of the window states written. */
  stateBytes: number;
  ms: number;
  /** Where ms went. */
  stepsMs: { forming: number; deadLetters: number; bars: number; candles: number; states: number; commit: number };
}

export interface OutputDeps {
  db: MongoHandle["db"];
  producer: ProducerHandle;
  deadLetterTopic: string;
  commit(offsets: Checkpoint["commit"][]): Promise<void>;
  logger: Logger;
  /** Arrival (ingestTs) to visible (forming or closed candle acknowledged), ms, per applied trade. */
  onVisible?(latenciesMs: number[]): void;
  onRound?(stats: RoundStats): void;
}

export class OutputWriter {
  private readonly deps: OutputDeps;
  private queue: BatchOutputs[] = [];
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  private readonly waiters: (() => void)[] = [];
  /** Waiting for the next round to end (backpressure). */
  private roundWaiters: (() => void)[] = [];

  constructor(deps: OutputDeps) {
    this.deps = deps;
  }

  /** Batches queued and not yet written. */
  get pending(): number {
    return this.queue.length;
  }

  /** The error that stopped the lane, if any (the caller resets its state and replays from the saved one). */
  get failed(): Error | null {
    return this.failure;
  }

  enqueue(o: BatchOutputs): void {
    if (this.failure) throw this.failure;
    this.queue.push(o);
    this.running ??= this.run().finally(() => {
      this.running = null;
      for (const w of [...this.waiters.splice(0), ...this.roundWaiters.splice(0)]) w();
    });
  }

  /** Resolves when everything queued so far is written (or the lane failed: check `failed`). */
  async idle(): Promise<void> {
    while (this.running) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Waits until at most `max` batches are queued (a round of the lane takes them all); returns the ms waited. */
  async below(max: number, heartbeat: () => Promise<void>): Promise<number> {
    if (this.queue.length <= max) return 0;
    const started = performance.now();
    while (this.queue.length > max && this.running && !this.failure) {
      await Promise.race([
        new Promise((r) => setTimeout(r, 1_000)),
        new Promise<void>((r) => this.roundWaiters.push(r)),
      ]);
      await heartbeat();
    }
    return performance.now() - started;
  }

  /** After a failure: drop what is queued (a replay from the saved states produces it again) and accept new work. */
  reset(): void {
    this.queue = [];
    this.failure = null;
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const round = this.queue;
      this.queue = [];
      try {
        await this.write(round);
        for (const w of this.roundWaiters.splice(0)) w();
      } catch (err) {
        this.failure = err as Error;
        this.queue = [];
        this.deps.logger.error(
          { err: this.failure.message },
          "write failed: the batches will be replayed from the saved window state",
        );
      }
    }
  }

  private async write(round: BatchOutputs[]): Promise<void> {
    const started = performance.now();
    const { db, producer } = this.deps;
    const deadLetters = round.flatMap((o) => o.deadLetters);
    const bars = new Map<string, OutgoingMessage[]>();
    for (const o of round) for (const [topic, ms] of o.bars) bars.set(topic, [...(bars.get(topic) ?? []), ...ms]);
    const candles = round.flatMap((o) => o.candles);
    // The newest forming candle per (symbol, width) wins: older snapshots of the same candle are not worth a write.
    const forming = new Map<string, FormingCandlesDocument>();
    for (const o of round) for (const f of o.forming) forming.set(f._id, f);
    // The last state of each partition: it covers the earlier ones of this round.
    const checkpoints = new Map<string, Checkpoint>();
    for (const o of round) if (o.checkpoint) checkpoints.set(o.checkpoint.doc._id, o.checkpoint);

    let t = performance.now();
    const step = () => {
      const now = performance.now();
      const ms = Math.round((now - t) * 10) / 10;
      t = now;
      return ms;
    };
    await rewriteById(formingCandlesCollection(db), [...forming.values()]);
    const visibleAt = Date.now();
    const stepsMs = { forming: step(), deadLetters: 0, bars: 0, candles: 0, states: 0, commit: 0 };
    await producer.send(this.deps.deadLetterTopic, deadLetters);
    stepsMs.deadLetters = step();
    for (const [topic, messages] of bars) await producer.send(topic, messages);
    stepsMs.bars = step();
    await writeCandles(candlesCollection(db), candles);
    stepsMs.candles = step();
    const states = [...checkpoints.values()].map((c) => c.doc);
    await replaceById(candleStateCollection(db), states);
    stepsMs.states = step();
    if (checkpoints.size > 0) await this.deps.commit([...checkpoints.values()].map((c) => c.commit));
    stepsMs.commit = step();

    // Visible = the forming candles holding the round's trades are acknowledged (none without forming candles).
    if (this.deps.onVisible && forming.size > 0) {
      const lat: number[] = [];
      for (const o of round) if (o.applied) for (const t of o.applied) lat.push(visibleAt - t);
      this.deps.onVisible(lat);
    }
    this.deps.onRound?.({
      batches: round.length,
      deadLetters: deadLetters.length,
      bars: [...bars.values()].reduce((n, m) => n + m.length, 0),
      candles: candles.length,
      forming: forming.size,
      checkpoints: checkpoints.size,
      stateBytes: states.reduce((n, d) => n + d.state.length, 0),
      ms: performance.now() - started,
      stepsMs,
    });
  }
}
