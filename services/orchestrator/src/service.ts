import { commandMessageSchema, projectionCommandMessageSchema } from '@agent-orchestrator/contracts';
import type { CheckpointStore } from '@agent-orchestrator/event-store';
import { TenantPrivacy } from '@agent-orchestrator/pii';
import { processMetrics, watchReadModels } from '@agent-orchestrator/metrics';
import { ProjectionOperations, ProjectionRunner } from '@agent-orchestrator/projections';
import pg from 'pg';
import { ApprovalsProjection, ModelCallsProjection, ParkedCallsProjection, SessionsProjection, TenantStatusesProjection, openReadModels } from '@agent-orchestrator/read-models';
import { startCommandConsumer, startEventService, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { sessionCommandHandler } from './commands/session-command-handler.js';
import type { OrchestratorConfig } from './config.js';
import { OrchestratorModule } from './orchestrator.module.js';
import { startPlatformRelay } from './relay/relay-process.js';
import { startTenantStatusSweep } from './tenant-status/tenant-status.js';
import { startTimeoutSweep } from './timeouts/timeout-sweep.js';

const now = () => new Date().toISOString();

/**
 * The orchestrator process: session commands from `commands.orchestrator`, agent run outcomes
 * from `events.agentrun`, tenants' suspensions and resumptions from `events.admin` (their sessions
 * pause and resume), the sessions, model-calls, approvals, parked-calls and tenant-statuses read models, the
 * timeout and tenant status sweeps, and, in dev mode, the outbox relay that publishes the session
 * log (cluster mode runs the relay as its own processes, relay-main.ts, one leading). Hosting the projections, it also consumes `commands.projections` (rebuilds, retries of
 * quarantined events) and keeps their rows of `projection_status` for the gateway.
 */
export interface OrchestratorOptions {
  /**
   * `in-process` (the default; dev mode and specs of one process) relays the session log from this
   * process; `apart` leaves it to the relay processes (relay-main.ts), as cluster mode does, so
   * stopping or adding an orchestrator neither stops nor doubles the relay.
   */
  readonly relay?: 'in-process' | 'apart';
  /**
   * Where the relay keeps its place; the store's checkpoints unless given. Dev mode's in-process
   * transport keeps no messages across restarts, so there a place is kept only once every
   * consumer has handled what was published before it (InProcessBroker.settledCheckpoints).
   */
  readonly relayCheckpoints?: CheckpointStore;
}

export async function startOrchestrator(platform: Platform, config: OrchestratorConfig, options: OrchestratorOptions = {}): Promise<RunningService> {
  const { store, logger } = platform;
  const platformConfig = platform.config;
  const relay = options.relay === 'apart' ? undefined : startPlatformRelay(platform, options.relayCheckpoints);
  const readModels = await openReadModels({ url: platformConfig.databaseUrl, schema: platformConfig.readModelSchema });
  // Projected as the migration role (every tenant's rows); the gateway reads them as the application role.
  const reader = platform.appRole.name;
  const projections = [new SessionsProjection(readModels.sessions, reader), new ModelCallsProjection(platformConfig.readModelSchema, reader), new ApprovalsProjection(platformConfig.readModelSchema, reader), new ParkedCallsProjection(platformConfig.readModelSchema, reader), new TenantStatusesProjection(platformConfig.readModelSchema)].map(
    (projection) =>
      new ProjectionRunner(projection, {
        store,
        dataSource: readModels.dataSource,
        schema: platformConfig.readModelSchema,
        quarantine: { windowMs: platformConfig.projectionRetryWindowMs },
        statusReader: reader,
        // A rebuild's progress total, for its ETA: the log's size when it begins.
        countEvents: async () => Number((await platform.pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${pg.escapeIdentifier(platformConfig.eventStoreSchema)}.events`)).rows[0]!.count),
        onError: (error, attempt) => logger.warn({ err: error, attempt, projection: projection.name }, 'projection batch failed; retrying'),
        // Once per event; the record says which, why and how often, never the event's data.
        onRetried: (results) =>
          logger.info({ projection: projection.name, applied: results.filter((result) => result.applied).length, stillRefused: results.filter((result) => !result.applied).length }, 'projection applied its quarantined events again at start'),
        onQuarantine: (event) =>
          logger.error({ projection: event.projection, eventId: event.eventId, streamId: event.streamId, type: event.type, tenantId: event.tenantId, reason: event.reason, attempts: event.attempts }, 'projection quarantined an event it could not apply; it moves on without it'),
      }),
  );
  for (const projection of projections) {
    await projection.start();
    platform.readiness.register(`projection:${projection.name}`, 'projection', () => projection.status());
  }
  const operations = new ProjectionOperations(projections, {
    dataSource: readModels.dataSource,
    schema: platformConfig.readModelSchema,
    onFailed: (error, command) => logger.error({ err: error, command }, 'projection operation failed'),
  });
  // The process that hosts the projections runs their operations; the work goes on beside the consumer.
  const projectionCommands = await startCommandConsumer(platform, 'projections', projectionCommandMessageSchema, async ({ value }) => {
    const outcome = await operations.accept(value.command);
    logger.info({ command: value.command, outcome }, 'projection command');
  });
  const commands = await startCommandConsumer(platform, 'orchestrator', commandMessageSchema, sessionCommandHandler(store, logger, new TenantPrivacy({ store, operatorDefault: platformConfig.piiRedact })), { partitionsConsumedConcurrently: 6 });
  const sessionsProjection = projections.find((runner) => runner.name === 'sessions')!;
  const outcomes = await startEventService(
    platform,
    OrchestratorModule.register({ store, logger, now, sessions: readModels.sessionQueries, sessionsCaughtUp: (position) => sessionsProjection.waitFor(position) }),
    { events: ['agentrun', 'admin'] },
  );
  // This process hosts the sessions and approvals projections: it answers for their gauges.
  const unwatchReadModels = watchReadModels(processMetrics, platform.pool, platformConfig.readModelSchema, { sessions: true, approvals: true });
  const sweep = startTimeoutSweep({ store, queries: readModels.sessionQueries, approvals: readModels.approvalQueries, parkedCalls: readModels.parkedCallQueries, logger, intervalMs: config.timeoutSweepMs, now });
  const tenantStatusSweep = startTenantStatusSweep({ store, logger, statuses: readModels.tenantStatusQueries, intervalMs: config.timeoutSweepMs, now });
  return {
    async stop() {
      unwatchReadModels();
      await sweep.stop();
      await tenantStatusSweep.stop();
      await outcomes.close();
      await commands.stop();
      await projectionCommands.stop();
      for (const projection of projections) await projection.stop();
      await relay?.stop();
      await readModels.close();
    },
  };
}
