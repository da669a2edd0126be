import { randomUUID } from 'node:crypto';
import type { EventStore } from '@agent-orchestrator/event-store';
import { stepOfRun } from '@agent-orchestrator/contracts';
import type { ApprovalQueries, SessionQueries } from '@agent-orchestrator/read-models';
import { startSweep } from '@agent-orchestrator/service-host';
import type { Logger } from 'pino';
import { decideSessionCommand } from '../commands/session-command-handler.js';

export interface TimeoutSweepOptions {
  readonly store: EventStore;
  readonly queries: SessionQueries;
  readonly approvals: ApprovalQueries;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly now: () => string;
  /** Sessions looked at per sweep, the longest unchanged first. */
  readonly batch?: number;
}

/**
 * The clock of the Session decider: every interval, each live session gets a CheckTimeouts with
 * the current time, and the decider retries, fails or gives up what waited too long (a plan, a
 * step, a review) and ends sessions past their deadline. A step whose tool call waits for a person
 * is not timed out meanwhile (the approvals read model says which). Most checks decide nothing and append
 * nothing. Several orchestrators sweeping at once is harmless: each check is decided on the
 * session stream at the version read.
 */
export function startTimeoutSweep(options: TimeoutSweepOptions): { stop(): Promise<void> } {
  const { store, queries, approvals, logger, intervalMs, now } = options;
  const sweep = async () => {
    for (const { sessionId, tenantId } of await queries.liveSessions(options.batch ?? 500)) {
      const metadata = { tenantId, correlationId: sessionId, causationId: 'timeout-sweep', actor: { kind: 'service' as const, id: 'orchestrator' }, now: now(), traceparent: null, eventIds: [] };
      const approvalHolds = (await approvals.holds(sessionId)).flatMap(({ runId, settledAt }) => {
        const step = stepOfRun(runId);
        return step ? [{ ...step, since: settledAt }] : [];
      });
      await decideSessionCommand(store, logger, randomUUID(), { type: 'CheckTimeouts', sessionId, approvalHolds, metadata }).catch((error: unknown) =>
        logger.warn({ err: error, sessionId }, 'timeout check failed; the next sweep tries again'),
      );
    }
  };
  return startSweep({ logger }, 'timeout sweep', intervalMs, sweep);
}
