// Bars -> Kafka, the one encoding of a bar message (the scraper, the synthetic feed and the tests produce through
// it): keyed by symbol (per-symbol order within a partition), the bar v1 as JSON in the value, the deterministic bar
// id also in an `id` header, so downstream consumers recognise a re-sent bar.
import type { OutgoingMessage, ProducerHandle } from "./clients/kafka.ts";
import type { Bar } from "./domain/bar.ts";
import { topicForAsset } from "./topics.ts";

/** Messages per produce request. */
const BATCH = 500;

export function barMessage(bar: Bar): OutgoingMessage {
  return {
    key: bar.symbol,
    value: JSON.stringify(bar),
    headers: { id: bar.id, v: String(bar.v), source: bar.source },
  };
}

/**
 * EOD equities go to equities_ticks too (not only the lake, as in the original design), so that the
 * stream processor enriches them like intraday bars; `interval` tells them apart.
 */
export async function publishBars(producer: ProducerHandle, bars: readonly Bar[]): Promise<Map<string, number>> {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const b of bars) {
    const topic = topicForAsset(b.assetClass);
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(barMessage(b));
  }
  const counts = new Map<string, number>();
  for (const [topic, messages] of byTopic) {
    for (let i = 0; i < messages.length; i += BATCH) await producer.send(topic, messages.slice(i, i + BATCH));
    counts.set(topic, messages.length);
  }
  return counts;
}
