// The stream processor's batch handler: decode, enrich per (symbol, interval) with checkpointed BarIndicators,
// write, checkpoint, commit. No Kafka or MongoDB client of its own: it gets a Db and a producer handle.
//
// Write order of one batch (a crash anywhere replays to the same documents):
//   1. dead letters (acknowledged by Kafka)
//   2. bar documents: one unordered bulk of replaceOne upserts keyed by _id (idempotent)
//   3. checkpoints of the series touched (state after the batch) whose last checkpoint is older than
//      checkpointIntervalMs (0: every batch)
//   4. resolve + commit the offsets
// A checkpoint is a cache of the state, not a condition of correctness: a series whose stored documents run past its
// checkpoint is rebuilt from its MongoDB history when it is loaded (loadSeries), and that rebuild writes only what
// differs. So checkpoints may lag the committed offsets by up to checkpointIntervalMs; a crash then costs a rebuild
// of the series touched since their last checkpoint, never a wrong or missing document. A clean stop saves them all.
// With several partitions in flight (STREAM_PARTITIONS_CONCURRENCY), their steps 2 and 3 are merged into shared
// commands (coalesce.ts): a batch's checkpoints enter only after its documents are acknowledged, and its offsets
// are resolved only after its checkpoints are. The processor sends one MongoDB command at a time (one lane), as
// with a single partition: FerretDB 1.24 deadlocks when concurrent commands replace too many documents.
// Replayed bars at or before a series' last bar (restored or rebuilt) are recognised as duplicates and skipped.
import {
  type Bar,
  type BarContent,
  type BarDocument,
  type BarQuality,
  type BatchControl,
  barContent,
  barDocumentCollectionName,
  barId,
  barOfDocument,
  barsCollection,
  barsCollectionName,
  type CheckpointDocument,
  changedQualityRows,
  checkpointsCollection,
  deadLetter,
  documentsToWrite,
  type IncomingBatch,
  indicatorBar,
  isoUtc,
  type Logger,
  loadCheckpoints,
  type MongoHandle,
  markCheckpointDirty,
  type OutgoingMessage,
  type ProducerHandle,
  parseCheckpointState,
  type QualityDayDocument,
  qualityCollection,
  qualityDayDifferences,
  recordLatestBars,
  replaceById,
  rollupCollection,
  sameBarContent,
  saveCheckpoints,
  seriesKey,
  toBarDocument,
  type UpsertOptions,
  upsertBars,
  upsertById,
} from "@quant/core";
import {
  enrichSeries,
  indicatorOptionsFor,
  newIndicators,
  orderSeries,
  rollupHistory,
  rollupTargets,
  SeriesRollups,
} from "@quant/enrich";
import { BarIndicators, InvalidInputError } from "@quant/indicators";
import {
  isConflictingVersion,
  QualityChecker,
  type QualityDay,
  type QualityInput,
  toQualityDayDocument,
} from "@quant/quality";

type Db = MongoHandle["db"];

import { serialLane, WriteCoalescer } from "./coalesce.ts";
import { decodeBar, RejectedMessage } from "./decode.ts";

interface SeriesState {
  key: string;
  symbol: string;
  assetClass: Bar["assetClass"];
  interval: Bar["interval"];
  indicators: BarIndicators;
  /** ts (epoch ms) of the last bar folded in; null for a new series. */
  lastTs: number | null;
  lastBar: BarContent | null;
  /** Open rollup windows and rollup indicators, for a rollup source series (see rollup.ts); else null. */
  rollups: SeriesRollups | null;
  /** The quality checks of the series (@quant/quality), checkpointed with the indicators. */
  quality: QualityChecker;
  /** Quality days that ended since the last checkpoint: their rows go out with the next one. */
  pendingDays: QualityDay[];
  /**
   * The series' newest quality row as stored (null: not known). Rows of later days are new: inserted first, since
   * FerretDB answers an upsert that matches nothing with a scan of the collection (upsertById); that row itself is
   * not written again while unchanged (a daily series' day closes with its one bar: FerretDB's update scans too).
   */
  storedRow: QualityDayDocument | null;
  /** When its checkpoint was last saved (Date.now()); -Infinity forces a save after the next batch. */
  savedAt: number;
  /** Documents written since that checkpoint (the state has moved past it). */
  unsaved: boolean;
}

/** A late bar kept for its series' merged recompute, with its message and the conflicting versions of its id. */
interface LateBar {
  bar: Bar;
  msg: IncomingBatch["messages"][number];
  conflicts: number;
}

/** Documents waiting to be written in this batch: scraped bars and rollup bars (their ids may be equal). */
interface Pending {
  bars: Map<string, BarDocument>;
  rollups: Map<string, BarDocument>;
}

/** A checkpoint and the quality rows it carries: rows of days not stored yet, and rows that replace stored ones. */
interface CheckpointWrite {
  checkpoint: CheckpointDocument;
  newRows: QualityDayDocument[];
  storedRows: QualityDayDocument[];
}

/** What the quality checks found in one batch, for the metrics (docs/quality.md). */
export interface BatchQualityStats {
  /** Flags raised on the batch's new and replaced bars: `SYMBOL|interval|flag` -> bars. */
  flags: Record<string, number>;
  /** Expected bars found missing before the batch's bars: `SYMBOL|interval` -> bars. */
  missing: Record<string, number>;
  /** Score of each series' latest day, for the series whose quality rows the batch wrote: `SYMBOL|interval` -> score. */
  scores: Record<string, number>;
}

export interface BatchStats {
  topic: string;
  partition: number;
  messages: number;
  written: number;
  duplicates: number;
  replaced: number;
  late: number;
  deadLetters: number;
  /** Rollup documents written (closed windows, and rollups rewritten by late bars). */
  rollups: number;
  /** Checkpoints written (one per series the batch advanced). */
  checkpoints: number;
  quality: BatchQualityStats;
  /** Write-acknowledged time minus the bars' event time (bar close = ts + interval) and ingest time, ms. */
  eventLagMs: { avg: number; max: number } | null;
  ingestLagMs: { avg: number; max: number } | null;
  /** Write-acknowledged time minus the Kafka message timestamp (producer CreateTime), ms. */
  produceLagMs: { avg: number; max: number } | null;
  /** Every message's produce-to-write latency, when deps.collectLatencies (benchmarks). */
  produceLagSamples?: number[];
  durationMs: number;
  /** Where durationMs went, per step of the write order (ms). */
  stepsMs: BatchStepsMs;
}

/**
 * decode: Kafka messages to bars; compute: series loading, duplicate checks, indicators and rollups (late bars
 * included, with their rewrites); then the steps of the write order. kafkajs sends the offset commit itself right
 * after the handler returns (autoCommit without interval or threshold), so `commit` covers resolving the offset.
 */
export interface BatchStepsMs {
  decode: number;
  compute: number;
  deadLetters: number;
  bars: number;
  checkpoints: number;
  commit: number;
}

export interface StreamProcessorDeps {
  db: Db;
  producer: ProducerHandle;
  deadLetterTopic: string;
  logger: Logger;
  now?: () => Date;
  /** Test hook: called after each numbered step of a batch (see the write order above). */
  onStep?: (step: "deadLetters" | "bars" | "checkpoints" | "commit") => Promise<void> | void;
  /** How bar documents are written (see UpsertOptions: chunk size, insert-first on FerretDB). */
  upsert?: UpsertOptions;
  /** A touched series' checkpoint is saved when its last one is at least this old (ms); 0 (default): every batch. */
  checkpointIntervalMs?: number;
  /** Keep every message's produce-to-write latency in the batch stats (benchmarks). */
  collectLatencies?: boolean;
  /** Called with the stats of every committed batch (tests, benchmarks). */
  onBatch?: (stats: BatchStats) => void;
}

/** Documents written between two heartbeats (one insertMany/bulkWrite call of upsertBars). */
export const WRITE_SLICE = 256;
/** Existing documents rewritten between two heartbeats (a rewrite costs ~0.4 s on FerretDB 1.24 at 20k documents). */
const REWRITE_SLICE = 8;

/** How often a batch in progress heartbeats on its own (kafkajs sends at most one per heartbeat interval, 3 s). */
const KEEP_ALIVE_MS = 1_000;

type Heartbeat = () => Promise<void>;

/** Scraped bars, then rollup bars (their ids may be equal; they go to different collections). */
const pendingDocuments = (p: Pending): BarDocument[] => [...p.bars.values(), ...p.rollups.values()];

const lag = (xs: number[]) =>
  xs.length === 0
    ? null
    : {
        avg: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length),
        max: xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY),
      };

export class StreamProcessor {
  private readonly series = new Map<string, SeriesState>();
  private readonly deps: StreamProcessorDeps;
  private readonly log: Logger;
  private readonly now: () => Date;
  /** Series loading, late-bar rewrites and the merged writes below take turns: one MongoDB command at a time. */
  private readonly lane = serialLane();
  private readonly documentWriter: WriteCoalescer<BarDocument>;
  private readonly checkpointWriter: WriteCoalescer<CheckpointWrite>;
  /** Batches being handled (all partitions), and the idle checkpoint flush running (flushIdle): never both. */
  private batchesInFlight = 0;
  private idleFlush: Promise<number> | null = null;
  /** Scores of the quality rows written since the last batch ended (checkpoints, recomputations), for the metrics. */
  private readonly scores = new Map<string, number>();

  constructor(deps: StreamProcessorDeps) {
    this.deps = deps;
    this.log = deps.logger.child({ component: "processor" });
    this.now = deps.now ?? (() => new Date());
    this.documentWriter = new WriteCoalescer((docs, heartbeat) =>
      this.lane(() => this.writeDocuments(docs, heartbeat)),
    );
    // A series' quality rows go out before its checkpoint: a checkpoint never runs ahead of the rows it counted.
    this.checkpointWriter = new WriteCoalescer((items) =>
      this.lane(async () => {
        const rows = qualityCollection(this.deps.db);
        await upsertById(
          rows,
          items.flatMap((i) => i.newRows),
          { insertFirst: true },
        );
        await replaceById(
          rows,
          items.flatMap((i) => i.storedRows),
        );
        await saveCheckpoints(
          checkpointsCollection(this.deps.db),
          items.map((i) => i.checkpoint),
        );
      }),
    );
  }

  /**
   * On every group join: forget in-memory state. Another member may have advanced a series while this one did not
   * own it; the stored documents are the truth, and the next message reloads the series from its checkpoint or,
   * when documents run past it, from history.
   */
  onAssignment(assigned: Record<string, number[]>): void {
    this.log.info(
      {
        assigned,
        dropped: this.series.size,
        // Their documents are stored: the next load rebuilds them from history (documents past the checkpoint).
        droppedUnsaved: [...this.series.values()].filter((s) => s.unsaved).length,
      },
      "partitions assigned; series state reloads from checkpoints",
    );
    this.series.clear();
  }

  /**
   * Saves the checkpoint of every series with documents written since its last one. For a clean stop, once no batch
   * is in flight: the next start then loads every series from its checkpoint instead of rebuilding it.
   */
  async flushCheckpoints(): Promise<number> {
    await this.idleFlush?.catch(() => 0);
    const unsaved = [...this.series.values()].filter((s) => s.unsaved);
    await this.saveCheckpointsOf(unsaved);
    return unsaved.length;
  }

  /**
   * Saves the checkpoints a quiet stream still owes: series with documents written since their last checkpoint, at
   * least checkpointIntervalMs ago. Called on a timer (run.ts): without it, the quality rows of the last bars before
   * a pause (they go out with checkpoints) would wait for the next message. Only while no batch is in flight, and
   * batches wait for it: a series' state is then exactly what its stored documents say.
   */
  async flushIdle(): Promise<number> {
    if (this.batchesInFlight > 0 || this.idleFlush) return 0;
    const now = Date.now();
    const interval = this.deps.checkpointIntervalMs ?? 0;
    const due = [...this.series.values()].filter((s) => s.unsaved && now - s.savedAt >= interval);
    if (due.length === 0) return 0;
    const flush = this.saveCheckpointsOf(due).then(() => due.length);
    this.idleFlush = flush;
    try {
      return await flush;
    } finally {
      this.idleFlush = null;
    }
  }

  /**
   * Checkpoints of these series, with their quality rows (the days ended since the last checkpoint and the open
   * day), through the shared writer (outside the lane), with their bookkeeping.
   */
  private async saveCheckpointsOf(series: readonly SeriesState[]): Promise<void> {
    const processedTs = this.now();
    const written = new Map<SeriesState, QualityDayDocument>();
    const items = series.map((s): CheckpointWrite => {
      const rows = this.qualityRowsOf(s, processedTs);
      const newest = rows.at(-1);
      if (newest) written.set(s, newest);
      const stored = s.storedRow;
      const unchanged = (r: QualityDayDocument) =>
        r._id === stored?._id && qualityDayDifferences(stored, r).length === 0;
      return {
        checkpoint: this.checkpointOf(s),
        newRows: rows.filter((r) => stored === null || r.tradingDate > stored.tradingDate),
        storedRows: rows.filter((r) => stored !== null && r.tradingDate <= stored.tradingDate && !unchanged(r)),
      };
    });
    await this.checkpointWriter.write(items);
    this.noteScores(items.flatMap((i) => [...i.storedRows, ...i.newRows]));
    const savedAt = Date.now();
    for (const s of series) {
      s.savedAt = savedAt;
      s.unsaved = false;
      s.pendingDays = [];
      s.storedRow = written.get(s) ?? s.storedRow;
    }
  }

  /** The latest day's score of each series among these rows (rows come in date order per series). */
  private noteScores(rows: readonly QualityDayDocument[]): void {
    for (const r of rows) this.scores.set(seriesKey(r.symbol, r.interval), r.score);
  }

  /** The rows a checkpoint of the series carries: the days ended since the last one, and the open day as it stands. */
  private qualityRowsOf(s: SeriesState, processedTs: Date): QualityDayDocument[] {
    const open = s.quality.openDay();
    return [...s.pendingDays, ...(open ? [open] : [])].map((d) => toQualityDayDocument(s, d, processedTs));
  }

  async handleBatch(batch: IncomingBatch, control: BatchControl): Promise<BatchStats | null> {
    if (batch.messages.length === 0 || control.isStale()) return null;
    while (this.idleFlush) await this.idleFlush.catch(() => 0);
    this.batchesInFlight++;
    // A batch may wait for the other partitions' turns at MongoDB (series rebuilds after a crash take seconds on
    // FerretDB): the membership must not lapse meanwhile. kafkajs throttles heartbeats to its interval; a failed
    // one (rebalance) surfaces again at the batch's own next heartbeat or commit.
    const keepAlive = setInterval(() => {
      control.heartbeat().catch(() => {});
    }, KEEP_ALIVE_MS);
    try {
      return await this.processBatch(batch, control);
    } finally {
      this.batchesInFlight--;
      clearInterval(keepAlive);
    }
  }

  private async processBatch(batch: IncomingBatch, control: BatchControl): Promise<BatchStats> {
    const started = performance.now();
    let stepStart = started;
    /** Time since the previous step ended, ms (0.1 ms resolution). */
    const step = () => {
      const t = performance.now();
      const ms = Math.round((t - stepStart) * 10) / 10;
      stepStart = t;
      return ms;
    };
    const stepsMs: BatchStepsMs = { decode: 0, compute: 0, deadLetters: 0, bars: 0, checkpoints: 0, commit: 0 };
    const stats: BatchStats = {
      topic: batch.topic,
      partition: batch.partition,
      messages: batch.messages.length,
      written: 0,
      duplicates: 0,
      replaced: 0,
      late: 0,
      deadLetters: 0,
      rollups: 0,
      checkpoints: 0,
      quality: { flags: {}, missing: {}, scores: {} },
      eventLagMs: null,
      ingestLagMs: null,
      produceLagMs: null,
      durationMs: 0,
      stepsMs,
    };
    const processedTs = this.now();
    const deadLetters: OutgoingMessage[] = [];
    const decoded: { bar: Bar; msg: IncomingBatch["messages"][number] }[] = [];
    for (const msg of batch.messages) {
      try {
        decoded.push({ bar: decodeBar(msg), msg });
      } catch (err) {
        if (!(err instanceof RejectedMessage)) throw err;
        deadLetters.push(deadLetter(msg, err.kind, err.message, processedTs));
      }
    }
    stepsMs.decode = step();

    const pending: Pending = { bars: new Map(), rollups: new Map() };
    const touched = new Set<SeriesState>();
    const heartbeat = () => control.heartbeat();
    await this.lane(async () => {
      await this.loadSeries(
        decoded.map((d) => d.bar),
        heartbeat,
      );
      const stored = await this.prefetchStored(decoded.map((d) => d.bar));
      // Consecutive late bars of a series are merged in one recompute, run before the series' next in-order bar (or
      // at the end of the batch): a backfill of older history after newer bars (thousands of late bars) then costs one
      // recompute per series and batch, not one per bar, and an isolated late bar is merged where it arrived.
      const late = new Map<SeriesState, LateBar[]>();
      const mergeLate = async (s: SeriesState) => {
        const items = late.get(s);
        if (!items) return;
        late.delete(s);
        const refused = await this.recomputeWithLateBars(s, items, pending, processedTs, heartbeat);
        // A late bar the indicators refuse goes to the dead letters, like any refused bar; the others are merged.
        for (const { bar, msg } of items) {
          const reason = refused.get(bar.id);
          if (reason === undefined) continue;
          stats.late--;
          deadLetters.push(
            deadLetter(msg, "indicator", new InvalidInputError("bar", bar.id, reason).message, processedTs),
          );
        }
      };
      let n = 0;
      for (const { bar, msg } of decoded) {
        if (++n % 250 === 0) await heartbeat();
        const s = this.series.get(seriesKey(bar.symbol, bar.interval))!;
        if (late.has(s) && (s.lastTs === null || Date.parse(bar.ts) >= s.lastTs)) await mergeLate(s);
        try {
          const outcome = await this.apply(s, bar, pending, stored, processedTs, stats.quality, (conflicts) => {
            const items = late.get(s) ?? [];
            // The same late bar twice in a row (a replay) is one late bar.
            if (items.some((i) => i.bar.id === bar.id && sameBarContent(i.bar, bar))) return false;
            // A second version of a bar already in this run is counted against that one (it wins, as stored would).
            const earlier = items.findLast((i) => i.bar.id === bar.id);
            const counted = earlier ? earlier.conflicts + (isConflictingVersion(earlier.bar, bar) ? 1 : 0) : conflicts;
            late.set(s, [...items, { bar, msg, conflicts: counted }]);
            return true;
          });
          stats[outcome]++;
          if (outcome !== "duplicates") touched.add(s);
        } catch (err) {
          if (!(err instanceof InvalidInputError)) throw err;
          deadLetters.push(deadLetter(msg, "indicator", err.message, processedTs));
        }
      }
      for (const s of [...late.keys()]) await mergeLate(s);
    });
    stats.deadLetters = deadLetters.length;
    stepsMs.compute = step();

    await this.deps.producer.send(this.deps.deadLetterTopic, deadLetters);
    await this.deps.onStep?.("deadLetters");
    stepsMs.deadLetters = step();
    stats.rollups += pending.rollups.size;
    const written = pendingDocuments(pending);
    await this.documentWriter.write(written, heartbeat);
    // The series' latest bars (latest_bars, read by the API) follow their documents.
    if (written.length > 0) await this.lane(() => recordLatestBars(this.deps.db, written));
    await this.deps.onStep?.("bars");
    stepsMs.bars = step();
    // Only this batch's series: their state is exactly what was just written (a series lives in one partition, and
    // a partition has one batch in flight). Another partition's series may be mid-batch.
    const now = Date.now();
    const interval = this.deps.checkpointIntervalMs ?? 0;
    for (const s of touched) s.unsaved = true;
    const due = [...touched].filter((s) => now - s.savedAt >= interval);
    await this.saveCheckpointsOf(due);
    await this.deps.onStep?.("checkpoints");
    stats.checkpoints = due.length;
    stepsMs.checkpoints = step();
    await heartbeat();
    const last = batch.messages[batch.messages.length - 1]!;
    control.resolveOffset(last.offset);
    await control.commit();
    await this.deps.onStep?.("commit");
    stepsMs.commit = step();

    const acked = Date.now();
    const docs = [...pending.bars.values()];
    stats.eventLagMs = lag(docs.map((d) => acked - d.ts.getTime()));
    stats.ingestLagMs = lag(docs.map((d) => acked - d.ingestTs.getTime()));
    const produceLags = batch.messages.map((m) => acked - m.timestamp);
    stats.produceLagMs = lag(produceLags);
    if (this.deps.collectLatencies) stats.produceLagSamples = produceLags;
    stats.quality.scores = Object.fromEntries(this.scores);
    this.scores.clear();
    stats.durationMs = Math.round(performance.now() - started);
    this.log.info(stats, "batch written");
    this.deps.onBatch?.(stats);
    return stats;
  }

  /** Folds one bar into its series; returns which counter it belongs to. */
  private async apply(
    s: SeriesState,
    bar: Bar,
    pending: Pending,
    stored: Map<string, BarDocument>,
    processedTs: Date,
    found: BatchQualityStats,
    /**
     * Keeps a late bar for the end of the batch, with the conflicting versions of its id so far (false: the batch
     * already has it).
     */
    deferLate: (conflicts: number) => boolean,
  ): Promise<"written" | "duplicates" | "replaced" | "late"> {
    const ts = Date.parse(bar.ts);
    if (s.lastTs === null || ts > s.lastTs) {
      const previousTs = s.lastTs;
      const v = s.indicators.update(indicatorBar(bar));
      const q = s.quality.update(this.qualityInputOf(bar, ts));
      s.lastTs = ts;
      s.lastBar = barContent(bar);
      pending.bars.set(bar.id, toBarDocument(bar, v, s.indicators.warm, processedTs, q));
      const amended = s.quality.amendedPrevious;
      if (amended && previousTs !== null) await this.amend(s, previousTs, amended, pending, stored, processedTs);
      s.pendingDays.push(...s.quality.drainClosedDays());
      tallyQuality(found, s, q, amended);
      if (s.rollups) {
        s.rollups.add(bar);
        for (const d of s.rollups.advance(ts, processedTs)) pending.rollups.set(d._id, d);
      }
      return "written";
    }
    if (ts === s.lastTs) {
      if (s.lastBar && sameBarContent(s.lastBar, bar)) return "duplicates";
      // A partial bar never replaces a final one (a replay, or the partial overtaken by its final).
      if (bar.partial && s.lastBar && !s.lastBar.partial) return "duplicates";
      // The final bar after a partial one of the same ts (or a correction of the last bar: a conflict).
      const v = s.indicators.replace(indicatorBar(bar));
      const q = s.quality.replace(this.qualityInputOf(bar, ts));
      s.lastBar = barContent(bar);
      pending.bars.set(bar.id, toBarDocument(bar, v, s.indicators.warm, processedTs, q));
      tallyQuality(found, s, q, null);
      s.rollups?.replaceLast(bar);
      return "replaced";
    }
    const known =
      pending.bars.get(bar.id) ??
      stored.get(bar.id) ??
      (await barsCollection(this.deps.db, bar.interval).findOne({ _id: bar.id }));
    if (known && (sameBarContent(known, bar) || (bar.partial && !known.partial))) return "duplicates";
    // A final version over a different final one is one more conflict of that bar id.
    const conflicts = (known?.quality?.conflicts ?? 0) + (known && isConflictingVersion(known, bar) ? 1 : 0);
    return deferLate(conflicts) ? "late" : "duplicates";
  }

  private qualityInputOf(bar: Bar, ts: number): QualityInput {
    return { ...barContent(bar), ts, tradingDate: bar.tradingDate };
  }

  /**
   * The previous bar never completed (a partial bar overtaken by a later one): its document is written again with
   * its amended quality. It is in this batch, or stored.
   */
  private async amend(
    s: SeriesState,
    ts: number,
    quality: BarQuality,
    pending: Pending,
    stored: Map<string, BarDocument>,
    processedTs: Date,
  ): Promise<void> {
    const id = barId({ symbol: s.symbol, interval: s.interval, ts: isoUtc(ts) });
    const doc =
      pending.bars.get(id) ?? stored.get(id) ?? (await barsCollection(this.deps.db, s.interval).findOne({ _id: id }));
    if (doc) pending.bars.set(id, { ...doc, quality, processedTs });
    else this.log.warn({ series: s.key, id }, "incomplete bar not found: its flag is not written");
  }

  /**
   * Late-data policy: bars older than the series' last bar (new, or different from the stored ones) are merged into
   * the series as stored in MongoDB, and the series is recomputed from its origin, once for a run of consecutive late
   * bars (the later of two with the same ts wins, as a correction would); every document from the earliest late bar's
   * ts onwards that differs from the recomputed one is rewritten (see writeChanged). So no later value is left
   * computed without them. The checkpoint is marked dirty first: a crash in the middle makes the next owner rebuild
   * the series from history. The series' rollups are recomputed from the same merged history; rollup documents from
   * the earliest late bar's window on (per rollup interval) are rewritten where they differ. A late bar within the
   * allowed lateness only changes open windows. Returns the late bars the indicators refused (id -> reason): they are
   * left out of the series.
   */
  private async recomputeWithLateBars(
    s: SeriesState,
    lateBars: readonly LateBar[],
    pending: Pending,
    processedTs: Date,
    heartbeat: Heartbeat,
  ): Promise<Map<string, string>> {
    // Documents of this batch so far go out first, so that the history read below is complete (and no pending
    // rollup document computed before the late bars is written over the recomputed one).
    const flushed = pendingDocuments(pending);
    await this.writeDocuments(flushed);
    await recordLatestBars(this.deps.db, flushed);
    pending.bars.clear();
    pending.rollups.clear();
    const storedDocs = await this.readHistory(s);
    const lates = lateBars.map((l) => l.bar);
    const lateIds = new Set(lates.map((b) => b.id));
    const merged = storedDocs.filter((d) => !lateIds.has(d._id)).map(barOfDocument);
    merged.push(...lates);
    // The later of two versions of one id wins, with its count of conflicting versions.
    const lateConflicts = new Map(lateBars.map((l) => [l.bar.id, l.conflicts]));
    const enriched = enrichSeries(merged, processedTs, conflictsOf(storedDocs, lateConflicts));
    const refused = new Map(enriched.rejected.filter((r) => lateIds.has(r.bar.id)).map((r) => [r.bar.id, r.reason]));
    const accepted = lates.filter((b) => !refused.has(b.id));
    if (accepted.length === 0) return refused;
    const first = accepted.reduce((a, b) => (Date.parse(b.ts) < Date.parse(a.ts) ? b : a));
    const lateTs = Date.parse(first.ts);
    await markCheckpointDirty(checkpointsCollection(this.deps.db), s.key, new Date(lateTs));
    const tail = enriched.docs.filter((d) => d.ts.getTime() >= lateTs);
    const rewritten = await this.writeChanged(s.interval, tail, storedDocs, heartbeat);
    const rolled = this.recomputeRollups(s, enriched.docs, processedTs);
    const affected = rolled.rollups?.affectedFrom({ ...first, ts: lateTs });
    const rollupTail = rolled.docs.filter((d) => d.ts.getTime() >= (affected?.get(d.interval) ?? 0));
    const rollupsRewritten = await this.writeChanged("rollup", rollupTail, await this.readRollups(s), heartbeat);
    // The newest documents again (a new processedTs): readers of latest_bars see that the series was rewritten.
    await recordLatestBars(this.deps.db, [...enriched.docs.slice(-1), ...rolled.docs]);
    await this.writeQualityRows(s, enriched.quality?.days ?? [], processedTs);
    this.adopt(s, enriched, rolled.rollups);
    // The dirty mark goes with the checkpoint saved after this batch, whatever the interval.
    s.savedAt = Number.NEGATIVE_INFINITY;
    this.log.warn(
      { series: s.key, lateBars: accepted.length, lateTs: first.ts, rewritten, rollupsRewritten },
      "late bars: series recomputed from origin",
    );
    return refused;
  }

  /** The rollups of a series recomputed from its enriched documents (null/empty when it is no rollup source). */
  private recomputeRollups(
    s: SeriesState,
    docs: readonly BarDocument[],
    processedTs: Date,
  ): ReturnType<typeof rollupHistory> {
    if (rollupTargets(s.assetClass, s.interval).length === 0) return { rollups: null, docs: [] };
    return rollupHistory(orderSeries(docs.map(barOfDocument)), processedTs);
  }

  /** The series continues from a recomputation (its quality rows were written with it). */
  private adopt(s: SeriesState, enriched: ReturnType<typeof enrichSeries>, rollups: SeriesRollups | null): void {
    const last = enriched.docs[enriched.docs.length - 1];
    s.indicators = enriched.indicators;
    s.lastTs = last ? last.ts.getTime() : null;
    s.lastBar = last ? barContent(last) : null;
    s.rollups = rollups ?? SeriesRollups.create(s.symbol, s.assetClass, s.interval);
    s.quality = enriched.quality?.checker ?? new QualityChecker(s);
    s.pendingDays = [];
    const lastDay = enriched.quality?.days.at(-1);
    s.storedRow = lastDay ? toQualityDayDocument(s, lastDay, this.now()) : null;
  }

  /** Writes the recomputed quality rows of a series that are missing or differ from the stored ones. */
  private async writeQualityRows(s: SeriesState, days: readonly QualityDay[], processedTs: Date): Promise<number> {
    const stored = await qualityCollection(this.deps.db).find({ symbol: s.symbol, interval: s.interval }).toArray();
    const changed = changedQualityRows(
      days.map((d) => toQualityDayDocument(s, d, processedTs)),
      stored,
    );
    await upsertById(qualityCollection(this.deps.db), changed, { insertFirst: true });
    this.noteScores(changed);
    return changed.length;
  }

  /** The stored documents of a series, in ts order. */
  private async readHistory(s: SeriesState): Promise<BarDocument[]> {
    return barsCollection(this.deps.db, s.interval)
      .find({ symbol: s.symbol, interval: s.interval })
      .sort({ ts: 1 })
      .toArray();
  }

  /** The stored rollup documents of a rollup source series (none for other series: no query). */
  private async readRollups(s: SeriesState): Promise<BarDocument[]> {
    const intervals = rollupTargets(s.assetClass, s.interval);
    if (intervals.length === 0) return [];
    return rollupCollection(this.deps.db)
      .find({ symbol: s.symbol, interval: { $in: intervals } })
      .toArray();
  }

  /**
   * Writes the recomputed documents that are missing or differ from the stored ones (documentsToWrite, the one
   * "unchanged document" rule), with a heartbeat between slices; returns how many were written. New documents take
   * the insert-first path, the others replaceOne.
   */
  private async writeChanged(
    target: Bar["interval"] | "rollup",
    recomputed: readonly BarDocument[],
    stored: readonly BarDocument[],
    heartbeat?: Heartbeat,
  ): Promise<number> {
    const coll = target === "rollup" ? rollupCollection(this.deps.db) : barsCollection(this.deps.db, target);
    const { missing, differing } = documentsToWrite(recomputed, stored);
    for (const [docs, opts, slice] of [
      [missing, this.deps.upsert, WRITE_SLICE],
      [differing, this.rewriteOptions(), REWRITE_SLICE],
    ] as const) {
      for (let i = 0; i < docs.length; i += slice) {
        await upsertBars(coll, docs.slice(i, i + slice), opts);
        await heartbeat?.();
      }
    }
    return missing.length + differing.length;
  }

  /**
   * Restores the series of these bars that are not in memory: from a usable checkpoint, or else by a rebuild from
   * MongoDB history. Bar documents stored past a clean checkpoint mean a crash between writing a batch's documents
   * and its checkpoint: the series is rebuilt from history too (which writes only what differs, i.e. next to
   * nothing), so the replayed bars are recognised as duplicates instead of each rewriting its document.
   */
  private async loadSeries(bars: readonly Bar[], heartbeat?: Heartbeat): Promise<void> {
    const missing = new Map<string, Bar>();
    for (const b of bars) {
      const key = seriesKey(b.symbol, b.interval);
      if (!this.series.has(key) && !missing.has(key)) missing.set(key, b);
    }
    if (missing.size === 0) return;
    const checkpoints = await loadCheckpoints(checkpointsCollection(this.deps.db), [...missing.keys()]);
    const usable = new Map<string, CheckpointDocument>();
    const unusable = new Map<string, string>();
    for (const [key, b] of missing) {
      const cp = checkpoints.get(key);
      // A checkpoint from before rollups (none stored for a rollup source) is rebuilt like a lost one.
      const rollupsUsable = rollupTargets(b.assetClass, b.interval).length === 0 || typeof cp?.rollup === "string";
      if (!cp) unusable.set(key, "no checkpoint");
      else if (cp.dirtyFrom !== null) unusable.set(key, `dirty from ${cp.dirtyFrom.toISOString()}`);
      else if (!rollupsUsable) unusable.set(key, "checkpoint without rollups");
      // From before the quality checks: the rebuild computes the flags of the stored bars too.
      else if (typeof cp.quality !== "string") unusable.set(key, "checkpoint without quality state");
      else usable.set(key, cp);
    }
    for (const key of await this.storedPastCheckpoint([...usable.values()])) {
      usable.delete(key);
      unusable.set(key, "documents past the checkpoint");
    }
    for (const [key, b] of missing) {
      const s: SeriesState = {
        key,
        symbol: b.symbol,
        assetClass: b.assetClass,
        interval: b.interval,
        indicators: newIndicators(b.assetClass, b.interval),
        lastTs: null,
        lastBar: null,
        rollups: SeriesRollups.create(b.symbol, b.assetClass, b.interval),
        quality: new QualityChecker(b),
        pendingDays: [],
        storedRow: null,
        savedAt: Number.NEGATIVE_INFINITY,
        unsaved: false,
      };
      const cp = usable.get(key);
      if (cp) {
        s.savedAt = Date.now();
        s.indicators = BarIndicators.fromJSON(
          parseCheckpointState(cp),
          indicatorOptionsFor(b.assetClass, b.interval).session,
        );
        s.lastTs = cp.lastTs.getTime();
        s.lastBar = cp.lastBar;
        if (cp.rollup) s.rollups = SeriesRollups.fromJSON(b.symbol, b.assetClass, b.interval, cp.rollup);
        s.quality = QualityChecker.fromJSON(b, JSON.parse(cp.quality!));
        // The checkpoint went out after the rows of its days, the open one as this state counts it.
        const open = s.quality.openDay();
        s.storedRow = open ? toQualityDayDocument(s, open, this.now()) : null;
      } else {
        await this.rebuildFromHistory(s, unusable.get(key)!, heartbeat);
      }
      this.series.set(key, s);
    }
  }

  /** Keys of the series with bar documents stored after their checkpoint's lastTs: one query per collection. */
  private async storedPastCheckpoint(checkpoints: readonly CheckpointDocument[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const [interval, cps] of Map.groupBy(checkpoints, (cp) => cp.interval)) {
      const clauses = cps.map((cp) => ({ symbol: cp.symbol, interval: cp.interval, ts: { $gt: cp.lastTs } }));
      const found = await barsCollection(this.deps.db, interval)
        .find({ $or: clauses }, { projection: { symbol: 1, interval: 1 } })
        .toArray();
      for (const d of found) out.add(seriesKey(d.symbol, d.interval));
    }
    return out;
  }

  /**
   * No usable checkpoint (first sight, lost, dirty after a crash mid-recompute, or behind the stored documents):
   * recompute the series and its rollups from the bars stored in MongoDB, and write only the documents that are
   * missing or differ from the recomputed ones. That is safe: a document equal to its recomputed form is what a
   * rewrite would store (the whole series is compared, not only from the dirty mark, so nothing half-written by a
   * crash survives), and the checkpoint saved at the end makes the series clean; a crash before it rebuilds again.
   * After a crash the stored documents are nearly all equal, so a replay writes almost nothing, and a long series no
   * longer outlasts the session (heartbeats between the write slices, too).
   */
  private async rebuildFromHistory(s: SeriesState, reason: string, heartbeat?: Heartbeat): Promise<void> {
    const storedDocs = await this.readHistory(s);
    if (storedDocs.length === 0) return;
    const processedTs = this.now();
    const enriched = enrichSeries(storedDocs.map(barOfDocument), processedTs, conflictsOf(storedDocs));
    const rewritten = await this.writeChanged(s.interval, enriched.docs, storedDocs, heartbeat);
    const rolled = this.recomputeRollups(s, enriched.docs, processedTs);
    const rollupsRewritten = await this.writeChanged("rollup", rolled.docs, await this.readRollups(s), heartbeat);
    await recordLatestBars(this.deps.db, [...enriched.docs.slice(-1), ...rolled.docs]);
    const qualityRows = await this.writeQualityRows(s, enriched.quality?.days ?? [], processedTs);
    this.adopt(s, enriched, rolled.rollups);
    await saveCheckpoints(checkpointsCollection(this.deps.db), [this.checkpointOf(s)]);
    s.savedAt = Date.now();
    this.log.info(
      { series: s.key, reason, bars: storedDocs.length, rewritten, rollupsRewritten, qualityRows },
      "series rebuilt from MongoDB history",
    );
  }

  /** Stored documents of bars at or before their series' last ts (replays after a crash, late bars): one query. */
  private async prefetchStored(bars: readonly Bar[]): Promise<Map<string, BarDocument>> {
    const behind = bars.filter((b) => {
      const s = this.series.get(seriesKey(b.symbol, b.interval));
      return s !== undefined && s.lastTs !== null && Date.parse(b.ts) < s.lastTs;
    });
    const out = new Map<string, BarDocument>();
    // One query per collection (1m and 5m bars share bars_intraday).
    for (const group of Map.groupBy(behind, (b) => barsCollectionName(b.interval)).values()) {
      const ids = group.map((b) => b.id);
      for (const d of await barsCollection(this.deps.db, group[0]!.interval)
        .find({ _id: { $in: ids } })
        .toArray())
        out.set(d._id, d);
    }
    return out;
  }

  /** Writes in slices with a heartbeat between them: a large batch on a slow server must not cost the membership. */
  private async writeDocuments(docs: readonly BarDocument[], heartbeat?: Heartbeat): Promise<void> {
    for (const [name, group] of Map.groupBy(docs, barDocumentCollectionName)) {
      const coll = this.deps.db.collection<BarDocument>(name);
      for (let i = 0; i < group.length; i += WRITE_SLICE) {
        await upsertBars(coll, group.slice(i, i + WRITE_SLICE), this.deps.upsert);
        await heartbeat?.();
      }
    }
  }

  /** Rewrites of existing documents: straight to replaceOne (insert-first would only collect duplicate-key errors). */
  private rewriteOptions(): UpsertOptions {
    return { ...this.deps.upsert, insertFirst: false };
  }

  private checkpointOf(s: SeriesState): CheckpointDocument {
    return {
      _id: s.key,
      symbol: s.symbol,
      assetClass: s.assetClass,
      interval: s.interval,
      lastTs: new Date(s.lastTs ?? 0),
      lastBar: s.lastBar ?? { open: 0, high: 0, low: 0, close: 0, adjClose: null, volume: 0, partial: false },
      state: JSON.stringify(s.indicators.toJSON()),
      dirtyFrom: null,
      rollup: s.rollups ? s.rollups.toJSON() : null,
      quality: JSON.stringify(s.quality.toJSON()),
      updatedAt: this.now(),
    };
  }
}

/**
 * Conflicting versions recorded on stored documents (the stream saw them; the lake and a recomputation cannot), and
 * for some ids a count known better (late bars' own).
 */
function conflictsOf(
  stored: readonly BarDocument[],
  known: ReadonlyMap<string, number> = new Map(),
): (bar: Bar) => number {
  const recorded = new Map<string, number>();
  for (const d of stored) if (d.quality && d.quality.conflicts > 0) recorded.set(d._id, d.quality.conflicts);
  return (bar) => known.get(bar.id) ?? recorded.get(bar.id) ?? 0;
}

/** Counts what the checks found on a new or replaced bar (and a previous bar found incomplete). */
function tallyQuality(found: BatchQualityStats, s: SeriesState, q: BarQuality, amended: BarQuality | null): void {
  if (q.flags.length === 0 && !amended) return;
  const series = seriesKey(s.symbol, s.interval);
  for (const f of q.flags) found.flags[`${series}|${f}`] = (found.flags[`${series}|${f}`] ?? 0) + 1;
  if (amended) found.flags[`${series}|incomplete`] = (found.flags[`${series}|incomplete`] ?? 0) + 1;
  if (q.missingBefore > 0) found.missing[series] = (found.missing[series] ?? 0) + q.missingBefore;
}
