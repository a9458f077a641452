// Dead letters, one shape for every producer of them (stream processor, candle aggregator, trade feed): the original
// value unchanged (so it can be re-published after a fix), the original headers, and `dlq.*` headers saying why and
// where it came from.
import type { IncomingMessage, OutgoingMessage } from "./clients/kafka.ts";

export const DLQ_HEADERS = {
  reason: "dlq.reason",
  kind: "dlq.kind",
  topic: "dlq.topic",
  partition: "dlq.partition",
  offset: "dlq.offset",
  timestamp: "dlq.timestamp",
  failedAt: "dlq.failed_at",
} as const;

/**
 * A consumed message refused on its way in: `kind` becomes its dead letter's dlq.kind, the message its dlq.reason.
 * Each consumer has its own subclass (RejectedMessage, RejectedTrade), whose class name is the error's name.
 */
export class Rejection<K extends string> extends Error {
  readonly kind: K;
  constructor(kind: K, message: string) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
  }
}

/** A message refused before it reached Kafka (a source's own input): where it came from instead of a partition. */
export interface SourceMessage {
  /** The source, e.g. `finnhub`. */
  source: string;
  key: string | null;
  value: string | Buffer;
  /** When it was received, epoch ms. */
  timestamp: number;
}

export function deadLetter(
  msg: IncomingMessage | SourceMessage,
  kind: string,
  reason: string,
  now: Date,
): OutgoingMessage {
  const where =
    "source" in msg
      ? { [DLQ_HEADERS.topic]: msg.source }
      : {
          ...msg.headers,
          [DLQ_HEADERS.topic]: msg.topic,
          [DLQ_HEADERS.partition]: String(msg.partition),
          [DLQ_HEADERS.offset]: msg.offset,
        };
  return {
    key: msg.key,
    value: msg.value ?? Buffer.alloc(0),
    headers: {
      ...where,
      [DLQ_HEADERS.reason]: reason.slice(0, 2_000),
      [DLQ_HEADERS.kind]: kind,
      [DLQ_HEADERS.timestamp]: String(msg.timestamp),
      [DLQ_HEADERS.failedAt]: now.toISOString(),
    },
  };
}
