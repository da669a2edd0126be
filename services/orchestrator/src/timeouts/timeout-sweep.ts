import { randomUUID } from 'node:crypto';
import type { EventStore } from '@agent-orchestrator/event-store';
import { stepOfRun } from '@agent-orchestrator/contracts';
import type { ApprovalQueries, ParkedCallQueries, SessionQueries } from '@agent-orchestrator/read-models';
import { startSweep } from '@agent-orchestrator/service-host';
import type { Logger } from 'pino';
import { decideSessionCommand } from '../commands/session-command-handler.js';

export interface TimeoutSweepOptions {
  readonly store: EventStore;
  readonly queries: SessionQueries;
  readonly approvals: ApprovalQueries;
  /** Parked tool calls hold their steps as approvals do; without it, only approvals do. */
  readonly parkedCalls?: ParkedCallQueries;
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
 * (or, parked, for an operator) is not timed out meanwhile (the approvals and parked-calls read
 * models say which); the session's deadline still ends it. Most checks decide nothing and append
 * nothing. Several orchestrators sweeping at once is harmless: each check is decided on the
 * session stream at the version read.
 */
export function startTimeoutSweep(options: TimeoutSweepOptions): { stop(): Promise<void> } {
  const { store, queries, approvals, logger, intervalMs, now } = options;
  const sweep = async () => {
    for (const { sessionId, tenantId } of await queries.liveSessions(options.batch ?? 500)) {
      const metadata = { tenantId, correlationId: sessionId, causationId: 'timeout-sweep', actor: { kind: 'service' as const, id: 'orchestrator' }, now: now(), traceparent: null, eventIds: [] };
      const parked = (await options.parkedCalls?.holds(sessionId)) ?? [];
      const approvalHolds = [...(await approvals.holds(sessionId)).map(({ runId, settledAt }) => ({ runId, since: settledAt })), ...parked.map(({ runId, resolvedAt }) => ({ runId, since: resolvedAt }))]
        .flatMap(({ runId, since }) => {
          const step = stepOfRun(runId);
          return step ? [{ ...step, since }] : [];
        })
        // One hold per step attempt: held while any of its holds is; else from the latest release.
        .reduce<{ stepId: string; attempt: number; since: string | null }[]>((holds, hold) => {
          const same = holds.find((other) => other.stepId === hold.stepId && other.attempt === hold.attempt);
          if (!same) return [...holds, hold];
          same.since = same.since === null || hold.since === null ? null : same.since > hold.since ? same.since : hold.since;
          return holds;
        }, []);
      await decideSessionCommand(store, logger, randomUUID(), { type: 'CheckTimeouts', sessionId, approvalHolds, metadata }).catch((error: unknown) =>
        logger.warn({ err: error, sessionId }, 'timeout check failed; the next sweep tries again'),
      );
    }
  };
  return startSweep({ logger }, 'timeout sweep', intervalMs, sweep);
}
