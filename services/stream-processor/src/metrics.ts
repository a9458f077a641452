// The stream processor's Prometheus metrics, fed from outside the batch handler: the stats handleBatch returns, the
// batch's high watermark (lag), the producer the dead letters go through, and (in run.ts) the MongoDB driver's
// command events (write durations). processor.ts holds no metric objects.
import { DLQ_HEADERS, type IncomingBatch, type PipelineMetrics, type ProducerHandle } from "@quant/core";
import type { BatchQualityStats, BatchStats } from "./processor.ts";

/** BatchStats counters -> the outcome label of quant_bars_processed_total. */
const OUTCOMES = { written: "written", replaced: "replaced", late: "late", duplicates: "duplicate" } as const;

/** Records one committed batch: its counters and durations, and the partition's lag behind its high watermark. */
export function recordBatch(m: PipelineMetrics, group: string, batch: IncomingBatch, stats: BatchStats): void {
  const topic = stats.topic;
  m.messagesIn.inc({ topic }, stats.messages);
  for (const [field, outcome] of Object.entries(OUTCOMES) as [keyof typeof OUTCOMES, string][]) {
    if (stats[field] > 0) m.barsProcessed.inc({ topic, outcome }, stats[field]);
  }
  m.rollupsWritten.inc({ topic }, stats.rollups);
  recordQuality(m, stats.quality);
  m.processingSeconds.observe({ topic }, stats.durationMs / 1_000);
  for (const ms of stats.produceLagSamples ?? []) m.produceToWriteSeconds.observe({ topic }, ms / 1_000);
  const last = batch.messages[batch.messages.length - 1];
  if (last) {
    // Messages of the partition after this batch, as of the fetch (what the committed offset leaves behind).
    const lag = Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1);
    m.consumerLag.set({ group, topic, partition: String(batch.partition) }, lag);
  }
}

/** The producer, counting what it sends: messages per topic, and dead letters per source topic and reason kind. */
export function countingProducer(m: PipelineMetrics, producer: ProducerHandle): ProducerHandle {
  return {
    async send(topic, messages) {
      await producer.send(topic, messages);
      if (messages.length === 0) return;
      m.messagesOut.inc({ topic }, messages.length);
      for (const msg of messages) {
        const source = msg.headers?.[DLQ_HEADERS.topic];
        if (source !== undefined) m.deadLetters.inc({ topic: source, reason: msg.headers?.[DLQ_HEADERS.kind] ?? "" });
      }
    },
    disconnect: () => producer.disconnect(),
  };
}

/** The quality checks' findings of a batch: flags and missing bars per series, and the latest day's score. */
function recordQuality(m: PipelineMetrics, q: BatchQualityStats): void {
  for (const [key, n] of Object.entries(q.flags)) {
    const [symbol, interval, flag] = key.split("|");
    m.qualityFlags.inc({ symbol, interval, flag }, n);
  }
  for (const [key, n] of Object.entries(q.missing)) {
    const [symbol, interval] = key.split("|");
    m.qualityMissingBars.inc({ symbol, interval }, n);
  }
  for (const [key, score] of Object.entries(q.scores)) {
    const [symbol, interval] = key.split("|");
    m.qualityScore.set({ symbol, interval }, score);
  }
}
