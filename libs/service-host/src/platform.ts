import { topicNames, type StreamCategory, type TopicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { MessageProducer, connectKafka, ensureTopics } from '@agent-orchestrator/messaging';
import { KafkaEventTransport, PropagateToConsumerLoop } from '@agent-orchestrator/messaging-nest';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { NestPinoLogger } from './nest-pino-logger.js';
import type { PlatformConfig } from './platform-config.js';

/** The connections one service process holds: the session log, Kafka, a producer, its logger. */
export interface Platform {
  readonly service: string;
  readonly config: PlatformConfig;
  readonly logger: Logger;
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly kafka: Kafka;
  readonly producer: MessageProducer;
  readonly topics: TopicNames;
  close(): Promise<void>;
}

/** Consumer groups are named after the service; a crashed member's partitions move on after this. */
const sessionTimeoutMs = 10_000;

export async function openPlatform(config: PlatformConfig, service: string): Promise<Platform> {
  const logger = pino({ name: service, level: config.logLevel });
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle Postgres connection failed'));
  try {
    const store = await PostgresEventStore.open({
      pool,
      schema: config.eventStoreSchema,
      pollIntervalMs: config.eventPollMs,
      onListenError: (error) => logger.warn({ err: error }, 'listening for appends failed; subscriptions poll until it is back'),
    });
    const kafka = connectKafka({ brokers: config.kafkaBrokers, clientId: service, logger });
    const topics = topicNames(config.topicPrefix);
    await ensureTopics(kafka, [...topics.all(), { name: topics.deadLetters(service), partitions: 1 }]);
    const producer = new MessageProducer(kafka);
    return {
      service,
      config,
      logger,
      pool,
      store,
      kafka,
      producer,
      topics,
      async close() {
        await producer.disconnect();
        await store.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/**
 * A Nest microservice whose `@OnEvent` handlers take the events of the given stream categories
 * (and, optionally, this service's command topic) through the project's consumer loop.
 */
export async function startEventService(
  platform: Platform,
  module: DynamicModule,
  subscriptions: { readonly events: readonly StreamCategory[] },
): Promise<INestMicroservice> {
  const { kafka, producer, topics, logger, service } = platform;
  const app = await NestFactory.createMicroservice(module, {
    logger: new NestPinoLogger(logger),
    strategy: new KafkaEventTransport({
      kafka,
      groupId: topics.consumerGroup(service),
      topics: subscriptions.events.map((category) => topics.events(category)),
      deadLetters: { producer, topic: topics.deadLetters(service) },
      partitionsConsumedConcurrently: 6,
      sessionTimeoutMs,
      logger,
    }),
  });
  app.useGlobalFilters(new PropagateToConsumerLoop());
  await app.listen();
  return app;
}

