import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import { pino, type Logger } from 'pino';
import type { TopicSpec } from '@agent-orchestrator/contracts';

export interface KafkaConnectionOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger?: Logger;
}

export function defaultLogger(name: string): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info' });
}

/** A kafkajs client whose own log lines go to the process's logger. */
export function connectKafka(options: KafkaConnectionOptions): Kafka {
  const logger = options.logger ?? defaultLogger(options.clientId);
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        if (level <= logLevel.ERROR) logger.error(rest, `kafkajs: ${message}`);
        else if (level === logLevel.WARN) logger.warn(rest, `kafkajs: ${message}`);
        else logger.debug(rest, `kafkajs: ${message}`);
      },
  });
}

/** Creates the topics that are missing; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    // Another process may create the same topics at the same moment: that is fine (false, not an error).
    await admin.createTopics({ waitForLeaders: false, topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1 })) });
    await waitForLeaders(admin, missing.map((t) => t.name));
  } finally {
    await admin.disconnect();
  }
}

export async function listTopics(kafka: Kafka): Promise<string[]> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/**
 * kafkajs's own wait retries only LEADER_NOT_AVAILABLE, but a Kafka 4 broker answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after it created a topic; both mean "not yet".
 */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (described.length === topics.length && described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true) throw error;
    }
    if (Date.now() > deadline) throw new Error(`Kafka topics have no leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
