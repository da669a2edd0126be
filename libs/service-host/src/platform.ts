import { topicNames, type StreamCategory, type TopicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { connectKafka, kafkaBroker, type Broker, type MessageSender, type RunningConsumer } from '@agent-orchestrator/messaging';
import { BrokerEventTransport, PropagateToConsumerLoop } from '@agent-orchestrator/messaging-nest';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { NestPinoLogger } from './nest-pino-logger.js';
import type { PlatformConfig } from './platform-config.js';
import { Readiness } from './readiness.js';

/** The connections a service holds: the session log, the messaging port (Kafka, or in-process in dev mode), its logger. */
export interface Platform {
  readonly service: string;
  readonly config: PlatformConfig;
  readonly logger: Logger;
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly broker: Broker;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  /** Where the process's consumers and projections report for /readyz; shared by the services of a dev-mode process. */
  readonly readiness: Readiness;
  close(): Promise<void>;
}

/** Consumer groups are named after the service; a crashed member's partitions move on after this. */
const sessionTimeoutMs = 10_000;

/**
 * A connection pool whose idle connections' failures are logged as their reason and code (pg
 * attaches the whole client to the error), except while `quiet` says they are expected.
 */
export function openPool(options: { readonly connectionString: string; readonly max: number; readonly logger: Logger; readonly quiet?: () => boolean }): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max });
  pool.on('error', (error: Error & { code?: string }) => {
    if (!options.quiet?.()) options.logger.warn({ reason: error.message, code: error.code }, 'idle Postgres connection failed');
  });
  return pool;
}

export async function openPlatform(config: PlatformConfig, service: string): Promise<Platform> {
  const logger = pino({ name: service, level: config.logLevel });
  const pool = openPool({ connectionString: config.databaseUrl, max: 10, logger });
  try {
    const store = await PostgresEventStore.open({
      pool,
      schema: config.eventStoreSchema,
      pollIntervalMs: config.eventPollMs,
      onListenError: (error) => logger.warn({ err: error }, 'listening for appends failed; subscriptions poll until it is back'),
    });
    const broker = kafkaBroker(connectKafka({ brokers: config.kafkaBrokers, clientId: service, logger }));
    const topics = topicNames(config.topicPrefix);
    await broker.ensureTopics([...topics.all(), { name: topics.deadLetters(service), partitions: 1 }]);
    return {
      service,
      config,
      logger,
      pool,
      store,
      broker,
      producer: broker.producer,
      topics,
      readiness: new Readiness(config.readinessStallMs),
      async close() {
        await broker.close();
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
  const { broker, producer, topics, logger, service } = platform;
  const groupId = topics.consumerGroup(service);
  const strategy = new BrokerEventTransport({
    broker,
    groupId,
    topics: subscriptions.events.map((category) => topics.events(category)),
    deadLetters: { producer, topic: topics.deadLetters(service) },
    partitionsConsumedConcurrently: 6,
    sessionTimeoutMs,
    logger,
  });
  const app = await NestFactory.createMicroservice(module, { logger: new NestPinoLogger(logger), strategy });
  app.useGlobalFilters(new PropagateToConsumerLoop());
  await app.listen();
  reportConsumer(platform, groupId, () => strategy.unwrap<RunningConsumer>());
  return app;
}

/** Reports a consumer group to /readyz: its lag, and the count it handled to tell whether it advances. Returns the way to stop reporting. */
export function reportConsumer(platform: Platform, groupId: string, consumer: () => RunningConsumer): () => void {
  return platform.readiness.register(groupId, 'consumer', async () => {
    const { lag, handled } = await consumer().progress();
    return { lag, position: handled };
  });
}


/** What the services of one dev-mode process share: one pool, one session log, one in-process transport. */
export interface SharedConnections {
  readonly config: PlatformConfig;
  readonly logger: Logger;
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly broker: Broker;
  readonly readiness: Readiness;
}

/** A service's platform on shared connections (dev mode): its own name and logger; closing it leaves the connections open. */
export function sharedPlatform(shared: SharedConnections, service: string): Platform {
  return {
    service,
    config: shared.config,
    logger: shared.logger.child({ service }),
    pool: shared.pool,
    store: shared.store,
    broker: shared.broker,
    producer: shared.broker.producer,
    topics: topicNames(shared.config.topicPrefix),
    readiness: shared.readiness,
    close: async () => undefined,
  };
}
