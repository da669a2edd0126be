import { approvalStream, type ApprovalCommandMessage, type EventEnvelope } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type Decider, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import type { ApprovalQueries } from '@agent-orchestrator/read-models';
import { startSweep } from '@agent-orchestrator/service-host';
import { redactingDecider, type PiiKind, type RedactedFields } from '@agent-orchestrator/pii';
import type { Logger } from 'pino';
import { decideApproval, type ApprovalError, evolveApproval, initialApproval, type ApprovalCommand, type ApprovalState } from './domain/approval.js';

export const approvalDecider: Decider<ApprovalCommand, ApprovalState> = {
  initialState: initialApproval,
  evolve: (state: ApprovalState, event: EventEnvelope) => evolveApproval(state, event),
  decide: decideApproval,
};

/**
 * What approvers write that an approval stores: their reasons. Edited arguments are kept as
 * given: they are what the tool is called with.
 */
const approverText: RedactedFields = {
  ApprovalVoteRecorded: { reason: { maxChars: 4000 } },
  ApprovalGranted: { reason: { maxChars: 4000 } },
  ApprovalRejected: { reason: { maxChars: 4000 } },
};

/**
 * Decides one command on its approval stream; event ids derive from the command id, so a
 * redelivery decides nothing twice. Personal data of the `redact` kinds in a reason is replaced
 * before it is stored, with a PiiRedacted beside it.
 */
export async function decideApprovalCommand(store: EventStore, commandId: string, command: ApprovalCommand, redact: readonly PiiKind[] = []): Promise<void> {
  const withIds = { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } } as ApprovalCommand;
  await handleCommand(store, approvalStream(command.approvalId), withIds, redactingDecider(approvalDecider, redact, approverText));
}

function approvalErrorOf(error: unknown): ApprovalError | undefined {
  return error instanceof Error && error.name === 'ApprovalError' ? (error as ApprovalError) : undefined;
}

/**
 * Handles DecideApproval from `commands.approvals`. A decision the approval refuses (settled
 * meanwhile, a vote already counted, a role that may not decide) is logged and dropped, not
 * dead-lettered: the gateway checked before sending and tells the person when another decision
 * got there first.
 */
export function approvalCommandHandler(
  store: EventStore,
  logger: Logger,
  privacy: { kindsFor(tenantId: string): Promise<readonly PiiKind[]> },
): (message: ConsumedMessage<ApprovalCommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => {
    try {
      await decideApprovalCommand(store, commandId, command, await privacy.kindsFor(command.metadata.tenantId));
    } catch (error) {
      const refusal = approvalErrorOf(error);
      if (refusal !== undefined) {
        logger.info({ approvalId: command.approvalId, code: refusal.code, reason: refusal.message }, 'approval decision refused');
        return;
      }
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `DecideApproval ${command.approvalId}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}

/**
 * The approvals clock: every interval, each pending approval past its expiry gets an
 * ExpireApproval with the current time, and escalates or expires. Several sweeps at once are
 * harmless: each is decided on the approval's stream at the version read.
 */
export function startExpirySweep(options: { store: EventStore; queries: ApprovalQueries; logger: Logger; intervalMs: number; now: () => string }): { stop(): Promise<void> } {
  const { store, queries, logger, intervalMs, now } = options;
  const sweep = async () => {
    const at = now();
    for (const { approvalId, tenantId, sessionId, periodMs } of await queries.due(at, 500)) {
      // Escalated, admins get as long as the rule gave its approvers.
      const escalateUntil = new Date(Date.parse(at) + periodMs).toISOString();
      const metadata = { tenantId, correlationId: sessionId, causationId: 'approvals-expiry', actor: { kind: 'service' as const, id: 'approvals' }, now: at, traceparent: null, eventIds: [] };
      // One command id per approval and expiry: a sweep that runs twice decides it once.
      await decideApprovalCommand(store, eventIdsFor(`${approvalId}/${at}`, 1)[0]!, { type: 'ExpireApproval', approvalId, escalateUntil, metadata }).catch((error: unknown) =>
        logger.warn({ err: error, approvalId }, 'approval expiry failed; the next sweep tries again'),
      );
    }
  };
  return startSweep({ logger }, 'approval expiry sweep', intervalMs, sweep);
}
