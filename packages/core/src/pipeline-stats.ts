// Pipeline figures the API can read from Kafka without joining a group: per topic the high watermark (messages
// ever produced while retained), the stream processor's committed offsets (consumer lag) and, between two reads,
// throughput. The dead-letter count is the retained size of the dead-letter topic.
// Read by the API's pipeline panel and by `pnpm start`'s summary.
import { createKafkaBus, type KafkaBus } from "./clients/kafka.ts";
import { createLogger, type Logger } from "./logger.ts";
import { BAR_TOPICS, TOPICS } from "./topics.ts";

export interface TopicStats {
  topic: string;
  /** Sum over partitions of (high - low): messages retained. */
  retained: number;
  /** Sum of high watermarks. */
  high: number;
  /** Messages per second between the two last reads (null on the first read). */
  perSecond: number | null;
  /** Group lag on this topic (null when the group has no offsets on it, or for the dead-letter topic). */
  lag: number | null;
}

export interface PipelineStats {
  ok: boolean;
  error?: string;
  group: string;
  at: string;
  topics: TopicStats[];
  deadLetters: number | null;
  totalLag: number | null;
}

export interface KafkaStatsReader {
  read(): Promise<PipelineStats>;
  close(): Promise<void>;
}

export function createKafkaStats(
  opts: { brokers: string[]; clientId: string; group: string },
  logger: Logger,
): KafkaStatsReader {
  // Its own quiet client that fails fast: a status read must answer even when Kafka is down.
  const bus: KafkaBus = createKafkaBus(
    { brokers: opts.brokers, clientId: `${opts.clientId}-stats`, failFast: true },
    createLogger("kafka-stats", "silent"),
  );
  let connected = false;
  let previous: { at: number; high: Map<string, number> } | null = null;
  const topics = [...BAR_TOPICS, TOPICS.deadLetter];
  const log = logger.child({ component: "kafka-stats" });

  return {
    async read() {
      const at = Date.now();
      try {
        if (!connected) {
          await bus.connect();
          connected = true;
        }
        const existing = new Set(await bus.listTopics());
        const high = new Map<string, number>();
        const out: TopicStats[] = [];
        const groupOffsets = new Map<string, number>();
        const present = topics.filter((t) => existing.has(t));
        if (present.length > 0) {
          const committed = await bus
            .groupOffsets(
              opts.group,
              present.filter((t) => t !== TOPICS.deadLetter),
            )
            .catch(() => []);
          for (const c of committed) if (c.offset >= 0) groupOffsets.set(`${c.topic}|${c.partition}`, c.offset);
        }
        for (const topic of topics) {
          if (!existing.has(topic)) {
            out.push({ topic, retained: 0, high: 0, perSecond: null, lag: null });
            continue;
          }
          const offsets = await bus.topicOffsets(topic);
          let h = 0;
          let retained = 0;
          let lag: number | null = null;
          for (const p of offsets) {
            h += p.high;
            retained += p.high - p.low;
            const c = groupOffsets.get(`${topic}|${p.partition}`);
            if (c !== undefined) lag = (lag ?? 0) + Math.max(p.high - c, 0);
          }
          high.set(topic, h);
          const prevHigh = previous?.high.get(topic);
          const perSecond =
            previous && prevHigh !== undefined && at > previous.at
              ? ((h - prevHigh) * 1000) / (at - previous.at)
              : null;
          out.push({ topic, retained, high: h, perSecond, lag: topic === TOPICS.deadLetter ? null : lag });
        }
        previous = { at, high };
        const bars = out.filter((t) => t.topic !== TOPICS.deadLetter);
        const lags = bars.map((t) => t.lag).filter((l): l is number => l !== null);
        return {
          ok: true,
          group: opts.group,
          at: new Date(at).toISOString(),
          topics: out,
          deadLetters: out.find((t) => t.topic === TOPICS.deadLetter)?.retained ?? null,
          totalLag: lags.length > 0 ? lags.reduce((x, y) => x + y, 0) : null,
        };
      } catch (err) {
        log.warn({ err: String(err) }, "kafka stats unavailable");
        connected = false;
        await bus.close().catch(() => {});
        return {
          ok: false,
          error: String((err as Error).message ?? err),
          group: opts.group,
          at: new Date(at).toISOString(),
          topics: [],
          deadLetters: null,
          totalLag: null,
        };
      }
    },
    async close() {
      connected = false;
      await bus.close().catch(() => {});
    },
  };
}
