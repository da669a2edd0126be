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

/** What sends messages: the Kafka producer, or the in-process transport of dev mode. */
export interface MessageSender {
  /** Resolves once every message is durable in the transport (Kafka: acknowledged by all in-sync replicas). */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
}

/**
 * An idempotent producer (acks from all in-sync replicas, broker-side de-duplication of retried
 * batches), so a retried send neither loses nor duplicates a message within a partition.
 *
 * After a send fails, the next send goes through a new producer id. kafkajs hands a failed
 * batch's sequence numbers to the next batch; if the failed batch had reached the log (the
 * broker died before answering), the broker takes the next, different batch for a duplicate of
 * it, acknowledges it with the old offset, and drops it. A fresh producer id has no history to
 * collide with. (broker-restart.int.spec.ts lost acknowledged messages without this.)
 */
export class MessageProducer implements MessageSender {
  private producer: Producer;
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka) {
    this.producer = this.create();
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
    try {
      await this.producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
      });
    } catch (error) {
      await this.replace();
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }

  private create(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  private async replace(): Promise<void> {
    const failed = this.producer;
    this.producer = this.create();
    this.connected = undefined;
    await failed.disconnect().catch(() => undefined);
  }
}
