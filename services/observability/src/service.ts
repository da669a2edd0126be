import { observabilityCommandMessageSchema, projectionCommandMessageSchema } from '@agent-orchestrator/contracts';
import { ProjectionOperations, ProjectionRunner } from '@agent-orchestrator/projections';
import { UsageProjection } from '@agent-orchestrator/read-models';
import { startCommandConsumer, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { startAlerts } from './alerts/alerts.js';
import type { ObservabilityConfig } from './config.js';
import { priceCommandHandler, seedConfiguredPrices } from './prices/price-commands.js';

/**
 * The observability process: the platform's prices (`prices-platform`: MODEL_PRICES offered at
 * start, `PUT /v1/prices` through `commands.observability`) and the usage read model priced from
 * them, which it hosts: it also consumes `commands.projections` in a group of its own, so a
 * rebuild of `usage` (`ao projections rebuild usage`) reaches it while the orchestrator's group
 * handles the projections the orchestrator hosts. And the alerts: their rules, read model and
 * signed webhook delivery (see startAlerts).
 */
export async function startObservability(platform: Platform, config: ObservabilityConfig): Promise<RunningService> {
  const { store, logger } = platform;
  const schema = platform.config.readModelSchema;
  await seedConfiguredPrices(store, config.configuredPrices, new Date().toISOString());

  const dataSource = await new DataSource({ type: 'postgres', url: platform.config.databaseUrl, schema, poolSize: 3, entities: [] }).initialize();
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
  // Projected as the migration role (every tenant's rows); the gateway reads them as the application role.
  const reader = platform.appRole.name;
  const usage = new ProjectionRunner(new UsageProjection(schema, reader), {
    store,
    dataSource,
    schema,
    quarantine: { windowMs: platform.config.projectionRetryWindowMs },
    statusReader: reader,
    countEvents: async () => Number((await platform.pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${pg.escapeIdentifier(platform.config.eventStoreSchema)}.events`)).rows[0]!.count),
    onError: (error, attempt) => logger.warn({ err: error, attempt, projection: 'usage' }, 'projection batch failed; retrying'),
    onQuarantine: (event) =>
      logger.error({ projection: event.projection, eventId: event.eventId, streamId: event.streamId, type: event.type, tenantId: event.tenantId, reason: event.reason, attempts: event.attempts }, 'projection quarantined an event it could not apply; it moves on without it'),
  });
  await usage.start();
  platform.readiness.register('projection:usage', 'projection', () => usage.status());
  const operations = new ProjectionOperations([usage], { dataSource, schema, onFailed: (error, command) => logger.error({ err: error, command }, 'projection operation failed') });
  const projectionCommands = await startCommandConsumer(
    platform,
    'projections',
    projectionCommandMessageSchema,
    async ({ value }) => {
      const outcome = await operations.accept(value.command);
      // Commands for the projections another process hosts are that process's: nothing to say here.
      if (outcome !== 'unknown-projection') logger.info({ command: value.command, outcome }, 'projection command');
    },
    { group: 'observability.projections.commands' },
  );
  const prices = await startCommandConsumer(platform, 'observability', observabilityCommandMessageSchema, priceCommandHandler(store));
  const alerts = await startAlerts(platform, config.alerts);
  return {
    async stop() {
      await alerts.stop();
      await prices.stop();
      await projectionCommands.stop();
      await operations.settled();
      await usage.stop();
      await dataSource.destroy();
    },
  };
}
