import type { Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { traceHeaders } from './trace-context.js';

export interface OutgoingMessage {
  readonly topic: string;
  /** Messages with one key keep their order (one partition). Events use the stream id. */
  readonly key: string;
  readonly value: string | Buffer;
  readonly headers?: Record<string, string | Buffer>;
  /** The W3C trace the message belongs to; defaults to the active OpenTelemetry context. */
  readonly traceparent?: string | null;
}

/**
 * An idempotent producer (acks from all in-sync replicas, broker-side de-duplication of retried
 * batches), so a retried send neither loses nor duplicates a message within a partition.
 */
export class MessageProducer {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  /** Resolves once the broker acknowledged every message (acks = all). */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, Message[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: m.value, headers: { ...m.headers, ...traceHeaders(m.traceparent) } });
      byTopic.set(m.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
    });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}
