// Pipeline figures the API can read from Kafka without joining a group: per topic the high watermark (messages
// ever produced while retained), the stream processor's committed offsets (consumer lag) and, between two reads,
// throughput. The dead-letter count is the retained size of the dead-letter topic.
import { BAR_TOPICS, type Logger, TOPICS } from "@quant/core";
import { type Admin, Kafka, logLevel } from "kafkajs";

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
  const kafka = new Kafka({
    clientId: `${opts.clientId}-api`,
    brokers: opts.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    retry: { retries: 1 },
  });
  let admin: Admin | null = null;
  let previous: { at: number; high: Map<string, number> } | null = null;
  const topics = [...BAR_TOPICS, TOPICS.deadLetter];
  const log = logger.child({ component: "kafka-stats" });

  async function connected(): Promise<Admin> {
    if (admin) return admin;
    const a = kafka.admin();
    await a.connect();
    admin = a;
    return a;
  }

  return {
    async read() {
      const at = Date.now();
      try {
        const a = await connected();
        const existing = new Set(await a.listTopics());
        const high = new Map<string, number>();
        const out: TopicStats[] = [];
        const groupOffsets = new Map<string, number>();
        const present = topics.filter((t) => existing.has(t));
        if (present.length > 0) {
          const committed = await a
            .fetchOffsets({ groupId: opts.group, topics: present.filter((t) => t !== TOPICS.deadLetter) })
            .catch(() => []);
          for (const t of committed) {
            for (const p of t.partitions) {
              const o = Number(p.offset);
              if (o >= 0) groupOffsets.set(`${t.topic}|${p.partition}`, o);
            }
          }
        }
        for (const topic of topics) {
          if (!existing.has(topic)) {
            out.push({ topic, retained: 0, high: 0, perSecond: null, lag: null });
            continue;
          }
          const offsets = await a.fetchTopicOffsets(topic);
          let h = 0;
          let retained = 0;
          let lag: number | null = null;
          for (const p of offsets) {
            h += Number(p.high);
            retained += Number(p.high) - Number(p.low);
            const c = groupOffsets.get(`${topic}|${p.partition}`);
            if (c !== undefined) lag = (lag ?? 0) + Math.max(Number(p.high) - c, 0);
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
        const a = admin;
        admin = null;
        await a?.disconnect().catch(() => {});
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
      await admin?.disconnect().catch(() => {});
      admin = null;
    },
  };
}
