import type { EventEnvelope, GlobalPosition, SessionCommand, SessionPauseReason } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import { tenantStatusChange, type SessionQueries, type TenantStatusQueries } from '@agent-orchestrator/read-models';
import { startSweep } from '@agent-orchestrator/service-host';
import type { Logger } from 'pino';
import { decideSessionCommand } from '../commands/session-command-handler.js';

const actor = { kind: 'service', id: 'orchestrator' } as const;

interface TenantStatus {
  readonly tenantId: string;
  /** Why its sessions pause, or null when they may run. */
  readonly pauseReason: SessionPauseReason | null;
  /** The version, on `admin-<tenant>`, of the event that set it. */
  readonly statusVersion: number;
}

/**
 * Decides the PauseSession or ResumeSession one session gets for its tenant's status. The command
 * id derives from the tenant event and the session, so the event handler, its redeliveries and the
 * sweep all decide it under the same event ids: the log holds it once.
 */
function decideTenantStatus(store: EventStore, logger: Logger, sessionId: string, status: TenantStatus, now: string, causationId: string): Promise<void> {
  const { tenantId, pauseReason, statusVersion } = status;
  const metadata = { tenantId, correlationId: sessionId, causationId, actor, traceparent: null, now, eventIds: [] };
  const command: SessionCommand =
    pauseReason === null
      ? { type: 'ResumeSession', sessionId, tenantStatusVersion: statusVersion, metadata }
      : { type: 'PauseSession', sessionId, reason: pauseReason, tenantStatusVersion: statusVersion, metadata };
  return decideSessionCommand(store, logger, `admin-${tenantId}@${statusVersion}/${sessionId}`, command);
}

export interface TenantStatusDeps {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly now: () => string;
  readonly sessions: SessionQueries;
  /** Resolves once the sessions read model holds the log up to `position`. */
  sessionsCaughtUp(position: GlobalPosition): Promise<void>;
}

/**
 * A tenant was suspended, deleted or resumed (`events.admin`): each of its sessions that has not
 * ended is paused or resumed. Its sessions are read from the sessions read model once that holds
 * the log up to the tenant's event, so every session started before the change is among them. One
 * started after it (in the moment before the gateway refuses the tenant's requests) is found by
 * the sweep below, as is any session this handler could not reach.
 */
export async function applyTenantStatus(deps: TenantStatusDeps, event: EventEnvelope): Promise<void> {
  const change = tenantStatusChange(event);
  if (!change) return;
  await deps.sessionsCaughtUp(event.globalPosition);
  const status = { tenantId: event.tenantId, ...change };
  for (const sessionId of await deps.sessions.liveSessionsOf(event.tenantId)) {
    await decideTenantStatus(deps.store, deps.logger, sessionId, status, deps.now(), event.eventId);
  }
}

export interface TenantStatusSweepOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly statuses: TenantStatusQueries;
  readonly intervalMs: number;
  readonly now: () => string;
  /** Sessions set right per sweep. */
  readonly batch?: number;
}

/**
 * Every interval, the live sessions whose status disagrees with their tenant's (paused while the
 * tenant runs, or running while it is suspended or deleted) get the command that sets them right.
 * The event handler does this as the change happens; the sweep makes the outcome not depend on it.
 */
export function startTenantStatusSweep(options: TenantStatusSweepOptions): { stop(): Promise<void> } {
  const { store, logger, statuses, intervalMs, now } = options;
  return startSweep({ logger }, 'tenant status sweep', intervalMs, async () => {
    for (const { sessionId, ...status } of await statuses.sessionsOutOfStep(options.batch ?? 500)) {
      await decideTenantStatus(store, logger, sessionId, status, now(), 'tenant-status-sweep').catch((error: unknown) =>
        logger.warn({ err: error, sessionId, tenantId: status.tenantId }, 'could not set a session right for its tenant status; the next sweep tries again'),
      );
    }
  });
}
