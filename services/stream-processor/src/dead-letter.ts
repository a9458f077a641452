// Dead letters: the original message value unchanged (so it can be replayed after a fix), its original headers,
// and `dlq.*` headers saying why and where it came from.
import type { IncomingMessage, OutgoingMessage } from "@quant/core";
import type { RejectKind } from "./decode.ts";

export const DLQ_HEADERS = {
  reason: "dlq.reason",
  kind: "dlq.kind",
  topic: "dlq.topic",
  partition: "dlq.partition",
  offset: "dlq.offset",
  timestamp: "dlq.timestamp",
  failedAt: "dlq.failed_at",
} as const;

export function deadLetter(msg: IncomingMessage, kind: RejectKind, reason: string, now: Date): OutgoingMessage {
  return {
    key: msg.key,
    value: msg.value ?? Buffer.alloc(0),
    headers: {
      ...msg.headers,
      [DLQ_HEADERS.reason]: reason.slice(0, 2_000),
      [DLQ_HEADERS.kind]: kind,
      [DLQ_HEADERS.topic]: msg.topic,
      [DLQ_HEADERS.partition]: String(msg.partition),
      [DLQ_HEADERS.offset]: msg.offset,
      [DLQ_HEADERS.timestamp]: String(msg.timestamp),
      [DLQ_HEADERS.failedAt]: now.toISOString(),
    },
  };
}
