import { commandMessageSchema } from '@agent-orchestrator/contracts';
import type { CheckpointStore } from '@agent-orchestrator/event-store';
import { TenantPrivacy } from '@agent-orchestrator/pii';
import { waitForProjectionCheckpoint } from '@agent-orchestrator/projections';
import { openReadModels } from '@agent-orchestrator/read-models';
import { startCommandConsumer, startEventService, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { sessionCommandHandler } from './commands/session-command-handler.js';
import type { OrchestratorConfig } from './config.js';
import { OrchestratorModule } from './orchestrator.module.js';
import { hostProjections } from './projections/projection-host.js';
import { startPlatformRelay } from './relay/relay-process.js';
import { startTenantStatusSweep } from './tenant-status/tenant-status.js';
import { startTimeoutSweep } from './timeouts/timeout-sweep.js';

const now = () => new Date().toISOString();

/**
 * The orchestrator process: session commands from `commands.orchestrator`, agent run outcomes
 * from `events.agentrun`, tenants' suspensions and resumptions from `events.admin` (their sessions
 * pause and resume), and the timeout and tenant status sweeps. Unless PROJECTIONS=apart (then
 * projections-main.ts does) it also hosts the sessions, model-calls, approvals, parked-calls and
 * tenant-statuses read models' projections, with their operations (`commands.projections`) and
 * their rows of `projection_status` for the gateway. In dev mode it also runs the outbox relay
 * that publishes the session log; cluster mode runs the relay as its own processes
 * (relay-main.ts, one leading).
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
  const projections = config.projections === 'in-process' ? await hostProjections(platform, readModels) : undefined;
  // Hosted elsewhere, the sessions model is caught up once its durable checkpoint has passed the position.
  const sessionsCaughtUp = projections?.sessionsCaughtUp ?? ((position) => waitForProjectionCheckpoint(platform.pool, { schema: platformConfig.readModelSchema, projection: 'sessions', position }));
  const commands = await startCommandConsumer(platform, 'orchestrator', commandMessageSchema, sessionCommandHandler(store, logger, new TenantPrivacy({ store, operatorDefault: platformConfig.piiRedact })), { partitionsConsumedConcurrently: 6 });
  const outcomes = await startEventService(platform, OrchestratorModule.register({ store, logger, now, sessions: readModels.sessionQueries, sessionsCaughtUp }), { events: ['agentrun', 'admin'] });
  const sweep = startTimeoutSweep({ store, queries: readModels.sessionQueries, approvals: readModels.approvalQueries, parkedCalls: readModels.parkedCallQueries, logger, intervalMs: config.timeoutSweepMs, now });
  const tenantStatusSweep = startTenantStatusSweep({ store, logger, statuses: readModels.tenantStatusQueries, intervalMs: config.timeoutSweepMs, now });
  return {
    async stop() {
      await sweep.stop();
      await tenantStatusSweep.stop();
      await outcomes.close();
      await commands.stop();
      await projections?.stop();
      await relay?.stop();
      await readModels.close();
    },
  };
}
