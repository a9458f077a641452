// Trades -> Kafka: messages are buffered for at most lingerMs (or maxBatch messages) and sent in one request, one
// request at a time (the idempotent producer of core: acks all, no duplicates on retry, order kept per partition).
// The value is the trade's JSON and the key its symbol; no headers (the value says everything, and headers cost a
// measurable share per message at these rates).
import type { OutgoingMessage, ProducerHandle } from "@quant/core";

export interface SenderOptions {
  lingerMs: number;
  maxBatch: number;
}

export class TradeSender {
  /** Messages acknowledged by Kafka. */
  sent = 0;
  private readonly producer: ProducerHandle;
  private readonly topic: string;
  private readonly opts: SenderOptions;
  private buffer: OutgoingMessage[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(producer: ProducerHandle, topic: string, opts: SenderOptions) {
    this.producer = producer;
    this.topic = topic;
    this.opts = opts;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Queues a message; throws if an earlier send failed for good (kafkajs retries before that). */
  add(key: string, value: string): void {
    if (this.failure) throw this.failure;
    this.buffer.push({ key, value });
    if (this.buffer.length >= this.opts.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.lingerMs);
  }

  /** Waits while more than a few batches are queued, so a fast source cannot outrun Kafka without bound. */
  async backpressure(): Promise<void> {
    while (this.buffer.length >= 4 * this.opts.maxBatch && this.sending) await this.sending;
    if (this.failure) throw this.failure;
  }

  /** Sends everything queued and waits for Kafka's acknowledgement. */
  async flush(): Promise<void> {
    this.kick();
    while (this.sending) await this.sending;
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.sending || this.buffer.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = null;
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.opts.maxBatch);
        await this.producer.send(this.topic, batch);
        this.sent += batch.length;
      }
    } catch (err) {
      this.failure = err as Error;
    }
  }
}
