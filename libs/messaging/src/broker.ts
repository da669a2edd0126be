import type { TopicSpec } from '@agent-orchestrator/contracts';
import type { Kafka } from 'kafkajs';
import { startConsumer, type ConsumerOptions, type RunningConsumer } from './consumer.js';
import { ensureTopics, listTopics } from './kafka.js';
import { MessageProducer, type MessageSender } from './producer.js';

/** A consumer's options on any transport. */
export type ConsumeOptions<T> = Omit<ConsumerOptions<T>, 'kafka'>;

/**
 * The messaging port: what services need of a transport. Per-key order, one delivery per
 * consumer group, redelivery while a handler fails, dead letters with the reason. Kafka in
 * cluster mode; the in-process transport in dev mode.
 */
export interface Broker {
  readonly producer: MessageSender;
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /**
   * The topics that exist now. A consumer of topics by pattern (every `dlq.*`) lists them and
   * consumes again when new ones appear: kafkajs resolves a pattern only when it subscribes.
   */
  listTopics(): Promise<string[]>;
  consume<T>(options: ConsumeOptions<T>): Promise<RunningConsumer>;
  close(): Promise<void>;
}

/** The port on a Kafka cluster (kafkajs). */
export function kafkaBroker(kafka: Kafka): Broker {
  const producer = new MessageProducer(kafka);
  return {
    producer,
    ensureTopics: (topics) => ensureTopics(kafka, topics),
    listTopics: () => listTopics(kafka),
    consume: (options) => startConsumer({ ...options, kafka }),
    close: () => producer.disconnect(),
  };
}
