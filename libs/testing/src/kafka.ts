import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { waitFor } from './wait-for.js';

export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: integration specs run under the int project, whose global setup starts Kafka');
  return brokers.split(',');
}

/** A topic prefix of its own per spec file, so specs never read each other's messages. */
export const uniqueTopicPrefix = (label: string): string => `t-${label}-${randomBytes(4).toString('hex')}.`;

/** A kafkajs client for specs; quiet unless TEST_KAFKA_LOGS=1. */
export function testKafka(clientId: string, brokers = testBrokers()): Kafka {
  return new Kafka({ clientId, brokers, logLevel: process.env.TEST_KAFKA_LOGS === '1' ? logLevel.INFO : logLevel.NOTHING });
}

export interface CollectedMessage {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Reads a topic from the beginning with a throwaway group until `done` holds for what was read. */
export async function collectMessages(kafka: Kafka, topic: string, done: (messages: CollectedMessage[]) => boolean, timeoutMs = 30_000): Promise<CollectedMessage[]> {
  const consumer = kafka.consumer({ groupId: `collector-${randomBytes(6).toString('hex')}` });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void messages.push({ partition, message }) });
    await waitFor(`messages on ${topic}`, () => done(messages), { timeoutMs, intervalMs: 50 });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}
