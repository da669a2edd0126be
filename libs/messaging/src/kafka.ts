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
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1 })) });
    }
  } finally {
    await admin.disconnect();
  }
}
