import { topicNames, type StreamCategory, type TopicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { connectKafka, kafkaBroker, type Broker, type MessageSender, type RunningConsumer } from '@agent-orchestrator/messaging';
import { BrokerEventTransport, PropagateToConsumerLoop } from '@agent-orchestrator/messaging-nest';
import { resolveAppRole, type AppRole, type DatabaseConnection, type TenantDatabase } from '@agent-orchestrator/postgres';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { NestPinoLogger } from './nest-pino-logger.js';
import type { PlatformConfig } from './platform-config.js';
import { Readiness } from './readiness.js';

/**
 * The connections a service holds: the session log, the messaging port (Kafka, or in-process in
 * dev mode), its logger, and PostgreSQL twice (TenantDatabase): `pool` as the migration role
 * (the log, migrations, projections, platform jobs) and `tenantPool` as the application role,
 * under row-level security, for what a request or a handler reads and writes for one tenant.
 */
export interface Platform extends TenantDatabase {
  readonly service: string;
  readonly config: PlatformConfig;
  readonly logger: Logger;
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
export function openPool(options: DatabaseConnection & { readonly max: number; readonly logger: Logger; readonly quiet?: () => boolean }): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.connectionString, ...(options.options === undefined ? {} : { options: options.options }), max: options.max });
  pool.on('error', (error: Error & { code?: string }) => {
    if (!options.quiet?.()) options.logger.warn({ reason: error.message, code: error.code }, 'idle Postgres connection failed');
  });
  return pool;
}

/**
 * The application role (APP_DATABASE_URL, or DATABASE_APP_ROLE made and switched to), checked,
 * and a pool of it; refused with an AppRoleError naming the variable when row-level security would
 * not hold for it.
 */
export async function openTenantPool(pool: pg.Pool, config: PlatformConfig, options: { readonly max: number; readonly logger: Logger; readonly quiet?: () => boolean }): Promise<{ appRole: AppRole; tenantPool: pg.Pool }> {
  const appRole = await resolveAppRole(pool, { databaseUrl: config.databaseUrl, appRole: config.appRole, ...(config.appDatabaseUrl === undefined ? {} : { appDatabaseUrl: config.appDatabaseUrl }) });
  return { appRole, tenantPool: openPool({ ...appRole.connection, ...options }) };
}

export async function openPlatform(config: PlatformConfig, service: string): Promise<Platform> {
  const logger = pino({ name: service, level: config.logLevel });
  const pool = openPool({ connectionString: config.databaseUrl, max: 10, logger });
  let tenantPool: pg.Pool | undefined;
  try {
    const tenancy = await openTenantPool(pool, config, { max: 10, logger });
    tenantPool = tenancy.tenantPool;
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
      tenantPool,
      appRole: tenancy.appRole,
      store,
      broker,
      producer: broker.producer,
      topics,
      readiness: new Readiness(config.readinessStallMs),
      async close() {
        await broker.close();
        await store.close();
        await tenancy.tenantPool.end();
        await pool.end();
      },
    };
  } catch (error) {
    await tenantPool?.end();
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


/** What the services of one dev-mode process share: the two pools, one session log, one in-process transport. */
export interface SharedConnections extends TenantDatabase {
  readonly config: PlatformConfig;
  readonly logger: Logger;
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
    tenantPool: shared.tenantPool,
    appRole: shared.appRole,
    store: shared.store,
    broker: shared.broker,
    producer: shared.broker.producer,
    topics: topicNames(shared.config.topicPrefix),
    readiness: shared.readiness,
    close: async () => undefined,
  };
}
