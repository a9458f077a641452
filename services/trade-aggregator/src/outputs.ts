// The aggregator's outputs, in two lanes.
//
// The durable lane, in the order that makes a crash harmless:
//   dead letters and bars (Kafka) beside closed candles (MongoDB) -> window states -> offset commits.
// A window state (with the offset it reflects) is written only after every output of the batches it covers, and an
// offset is committed only after its state: after a crash the aggregator resumes from a state whose outputs are all
// stored, and replays to the same candles (deterministic), which the idempotent writes then find already there.
//
// The visible lane: the forming candles (one document per symbol, the newest snapshot wins), which no correctness
// depends on (they are rewritten all the time) and which the dashboard waits for. Apart, so that arrival -> visible
// is one write, not a round of the durable lane. Its writes are a delete and an insert (rewriteById), never updates:
// FerretDB 1.24 deadlocks when concurrent commands replace many documents, and the durable lane's only replacing
// command is the window states (one statement per partition).
//
// The batch loop does not wait for the lanes (only when the durable one falls far behind): outputs queued while a
// write is in flight go out together in the next round, so a slow command costs one round, not one per batch.
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

/** One round of the durable lane. */
export interface RoundStats {
  batches: number;
  deadLetters: number;
  bars: number;
  candles: number;
  checkpoints: number;
  /** Bytes of the window states written. */
  stateBytes: number;
  ms: number;
  /** Where ms went: Kafka (dead letters, bars) and the candles run side by side. */
  stepsMs: { kafka: number; candles: number; states: number; commit: number };
}

export interface OutputDeps {
  db: MongoHandle["db"];
  producer: ProducerHandle;
  deadLetterTopic: string;
  commit(offsets: Checkpoint["commit"][]): Promise<void>;
  logger: Logger;
  /** Arrival (ingestTs) to visible (its forming candle acknowledged), ms, per applied trade. */
  onVisible?(latenciesMs: number[]): void;
  onRound?(stats: RoundStats): void;
  /** One write of the visible lane: symbols rewritten, ms. */
  onForming?(stats: { symbols: number; ms: number }): void;
}

/** Runs `drain` while `pending()` says there is work, one run at a time; idle() waits for the current run. */
class Lane {
  private running: Promise<void> | null = null;
  private readonly waiters: (() => void)[] = [];
  private readonly drain: () => Promise<void>;

  constructor(drain: () => Promise<void>) {
    this.drain = drain;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = null;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async idle(): Promise<void> {
    while (this.running) await new Promise<void>((r) => this.waiters.push(r));
  }
}

export class OutputWriter {
  private readonly deps: OutputDeps;
  private queue: BatchOutputs[] = [];
  private forming = new Map<string, FormingCandlesDocument>();
  /** ingestTs of the trades in the forming candles not yet written (latency samples). */
  private formingApplied: number[][] = [];
  private failure: Error | null = null;
  /** Waiting for the next durable round to end (backpressure). */
  private roundWaiters: (() => void)[] = [];
  private readonly durable = new Lane(() => this.runDurable());
  private readonly visible = new Lane(() => this.runVisible());

  constructor(deps: OutputDeps) {
    this.deps = deps;
  }

  /** Batches queued in the durable lane and not yet written. */
  get pending(): number {
    return this.queue.length;
  }

  /** The error that stopped a lane, if any (the caller resets its state and replays from the saved one). */
  get failed(): Error | null {
    return this.failure;
  }

  enqueue(o: BatchOutputs): void {
    if (this.failure) throw this.failure;
    if (o.forming.length > 0) {
      for (const f of o.forming) this.forming.set(f._id, f);
      if (o.applied) this.formingApplied.push(o.applied);
      this.visible.kick();
    }
    this.queue.push(o);
    this.durable.kick();
  }

  /** Resolves when everything queued so far is written (or a lane failed: check `failed`). */
  async idle(): Promise<void> {
    await Promise.all([this.durable.idle(), this.visible.idle()]);
  }

  /** Waits until at most `max` batches are queued (a round of the lane takes them all); returns the ms waited. */
  async below(max: number, heartbeat: () => Promise<void>): Promise<number> {
    if (this.queue.length <= max) return 0;
    const started = performance.now();
    while (this.queue.length > max && this.durable.busy && !this.failure) {
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
    this.forming = new Map();
    this.formingApplied = [];
    this.failure = null;
  }

  private fail(err: unknown): void {
    this.failure = err as Error;
    this.queue = [];
    this.deps.logger.error(
      { err: this.failure.message },
      "write failed: the batches will be replayed from the saved window state",
    );
  }

  private async runDurable(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const round = this.queue;
      this.queue = [];
      try {
        await this.writeDurable(round);
      } catch (err) {
        this.fail(err);
      }
      for (const w of this.roundWaiters.splice(0)) w();
    }
  }

  private async runVisible(): Promise<void> {
    while (this.forming.size > 0 && !this.failure) {
      const docs = [...this.forming.values()];
      const applied = this.formingApplied;
      this.forming = new Map();
      this.formingApplied = [];
      const started = performance.now();
      try {
        await rewriteById(formingCandlesCollection(this.deps.db), docs);
      } catch (err) {
        this.fail(err);
        return;
      }
      const visibleAt = Date.now();
      this.deps.onForming?.({ symbols: docs.length, ms: performance.now() - started });
      if (this.deps.onVisible) {
        const lat: number[] = [];
        for (const a of applied) for (const t of a) lat.push(visibleAt - t);
        this.deps.onVisible(lat);
      }
    }
  }

  private async writeDurable(round: BatchOutputs[]): Promise<void> {
    const started = performance.now();
    const { db, producer } = this.deps;
    const deadLetters = round.flatMap((o) => o.deadLetters);
    const bars = new Map<string, OutgoingMessage[]>();
    for (const o of round) for (const [topic, ms] of o.bars) bars.set(topic, [...(bars.get(topic) ?? []), ...ms]);
    const candles = round.flatMap((o) => o.candles);
    // The last state of each partition: it covers the earlier ones of this round.
    const checkpoints = new Map<string, Checkpoint>();
    for (const o of round) if (o.checkpoint) checkpoints.set(o.checkpoint.doc._id, o.checkpoint);

    const stepsMs = { kafka: 0, candles: 0, states: 0, commit: 0 };
    const timed = async (k: keyof typeof stepsMs, f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      stepsMs[k] = Math.round((performance.now() - t) * 10) / 10;
    };
    // Two servers: Kafka's writes and MongoDB's candles side by side.
    await Promise.all([
      timed("kafka", async () => {
        await producer.send(this.deps.deadLetterTopic, deadLetters);
        for (const [topic, messages] of bars) await producer.send(topic, messages);
      }),
      timed("candles", () => writeCandles(candlesCollection(db), candles)),
    ]);
    const states = [...checkpoints.values()].map((c) => c.doc);
    await timed("states", () => replaceById(candleStateCollection(db), states));
    if (checkpoints.size > 0)
      await timed("commit", () => this.deps.commit([...checkpoints.values()].map((c) => c.commit)));

    this.deps.onRound?.({
      batches: round.length,
      deadLetters: deadLetters.length,
      bars: [...bars.values()].reduce((n, m) => n + m.length, 0),
      candles: candles.length,
      checkpoints: checkpoints.size,
      stateBytes: states.reduce((n, d) => n + d.state.length, 0),
      ms: performance.now() - started,
      stepsMs,
    });
  }
}
