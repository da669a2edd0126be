import { projectionCommandMessageSchema, type GlobalPosition } from '@agent-orchestrator/contracts';
import { processMetrics, watchReadModels } from '@agent-orchestrator/metrics';
import { ProjectionOperations, ProjectionRunner } from '@agent-orchestrator/projections';
import { ApprovalsProjection, ModelCallsProjection, ParkedCallsProjection, SessionsProjection, TenantStatusesProjection, openReadModels, type ReadModels } from '@agent-orchestrator/read-models';
import { startCommandConsumer, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import pg from 'pg';

export interface HostedProjections {
  /** Resolves once the sessions read model holds the log up to `position`. */
  sessionsCaughtUp(position: GlobalPosition): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The read models' projections (sessions, model calls, approvals, parked calls, tenant statuses),
 * each following the log into `readModels`, reported to /readyz, with the operations on them
 * (`commands.projections`: rebuilds, retries of quarantined events) and the gauges read from the
 * sessions and approvals models. Any number of processes may host them at once: each projection's
 * checkpoint row is locked in the transaction that applies a batch, so a batch is applied once.
 */
export async function hostProjections(platform: Platform, readModels: ReadModels): Promise<HostedProjections> {
  const { store, logger } = platform;
  const config = platform.config;
  // Projected as the migration role (every tenant's rows); the gateway reads them as the application role.
  const reader = platform.appRole.name;
  const projections = [
    new SessionsProjection(readModels.sessions, reader),
    new ModelCallsProjection(config.readModelSchema, reader),
    new ApprovalsProjection(config.readModelSchema, reader),
    new ParkedCallsProjection(config.readModelSchema, reader),
    new TenantStatusesProjection(config.readModelSchema),
  ].map(
    (projection) =>
      new ProjectionRunner(projection, {
        store,
        dataSource: readModels.dataSource,
        schema: config.readModelSchema,
        quarantine: { windowMs: config.projectionRetryWindowMs },
        statusReader: reader,
        // A rebuild's progress total, for its ETA: the log's size when it begins.
        countEvents: async () => Number((await platform.pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${pg.escapeIdentifier(config.eventStoreSchema)}.events`)).rows[0]!.count),
        onError: (error, attempt) => logger.warn({ err: error, attempt, projection: projection.name }, 'projection batch failed; retrying'),
        // Once per event; the record says which, why and how often, never the event's data.
        onRetried: (results) =>
          logger.info({ projection: projection.name, applied: results.filter((result) => result.applied).length, stillRefused: results.filter((result) => !result.applied).length }, 'projection applied its quarantined events again at start'),
        onQuarantine: (event) =>
          logger.error({ projection: event.projection, eventId: event.eventId, streamId: event.streamId, type: event.type, tenantId: event.tenantId, reason: event.reason, attempts: event.attempts }, 'projection quarantined an event it could not apply; it moves on without it'),
      }),
  );
  const unregister: (() => void)[] = [];
  for (const projection of projections) {
    await projection.start();
    unregister.push(platform.readiness.register(`projection:${projection.name}`, 'projection', () => projection.status()));
  }
  const operations = new ProjectionOperations(projections, {
    dataSource: readModels.dataSource,
    schema: config.readModelSchema,
    onFailed: (error, command) => logger.error({ err: error, command }, 'projection operation failed'),
  });
  // The process that hosts the projections runs their operations; the work goes on beside the consumer.
  const projectionCommands = await startCommandConsumer(platform, 'projections', projectionCommandMessageSchema, async ({ value }) => {
    const outcome = await operations.accept(value.command);
    logger.info({ command: value.command, outcome }, 'projection command');
  });
  // This process hosts the sessions and approvals projections: it answers for their gauges.
  const unwatchReadModels = watchReadModels(processMetrics, platform.pool, config.readModelSchema, { sessions: true, approvals: true });
  const sessions = projections.find((runner) => runner.name === 'sessions')!;
  return {
    sessionsCaughtUp: (position) => sessions.waitFor(position),
    async stop() {
      unwatchReadModels();
      await projectionCommands.stop();
      for (const projection of projections) await projection.stop();
      for (const remove of unregister) remove();
    },
  };
}

/**
 * The projections process (projections-main.ts): the read models apart from the deciders, so they
 * can be restarted, or run as several processes, without stopping the orchestrator; the
 * orchestrator then runs with PROJECTIONS=apart.
 */
export async function startProjectionsProcess(platform: Platform): Promise<RunningService> {
  const readModels = await openReadModels({ url: platform.config.databaseUrl, schema: platform.config.readModelSchema });
  try {
    const hosted = await hostProjections(platform, readModels);
    return {
      async stop() {
        await hosted.stop();
        await readModels.close();
      },
    };
  } catch (error) {
    await readModels.close();
    throw error;
  }
}
