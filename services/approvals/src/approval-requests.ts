import {
  agentRunStream,
  approvalStream,
  sessionStream,
  stepOfRun,
  type AgentRunEvent,
  type EventEnvelope,
  type PolicyCheckEvent,
  type SessionEvent,
} from '@agent-orchestrator/contracts';
import { isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import type { Logger } from 'pino';
import { v5 as uuidV5 } from 'uuid';

export type PolicyDecision = EventEnvelope & Extract<PolicyCheckEvent, { type: 'PolicyDecisionRecorded' }>;

/** Approval ids derive from the decision's event id: a redelivered decision opens the same approval. */
const approvalNamespace = '5e0b9c2d-7a1f-4c3e-8d6b-9f0a1b2c3d4e';

export function approvalIdFor(decision: Pick<EventEnvelope, 'eventId'>): string {
  return uuidV5(decision.eventId, approvalNamespace);
}

/**
 * Opens an approval for each call the policy held: ApprovalRequested on a new `approval-<id>`
 * stream, with the call's arguments and the session's goal for the approver to judge by, and its
 * expiry counted from now. The stream must not exist yet, so a redelivered decision opens nothing.
 */
export class ApprovalRequests {
  constructor(private readonly options: { readonly store: EventStore; readonly logger: Logger; readonly now: () => string }) {}

  async open(decision: PolicyDecision): Promise<void> {
    if (decision.data.effect !== 'require_approval' || decision.data.approval === undefined) return;
    const { store, now } = this.options;
    const approvalId = approvalIdFor(decision);
    const stream = approvalStream(approvalId);
    if ((await store.readStream(stream, { maxCount: 1 })).length > 0) return;
    const { sessionId, runId, callId, agent, tool, target, ruleId, policyVersion, reason, approval } = decision.data;
    const [runEvents, [started]] = await Promise.all([
      store.readStream(agentRunStream(runId)) as Promise<(EventEnvelope & AgentRunEvent)[]>,
      store.readStream(sessionStream(sessionId), { maxCount: 1 }) as Promise<(EventEnvelope & SessionEvent)[]>,
    ]);
    const request = runEvents.find((event) => event.type === 'ToolCallRequested' && event.data.callId === callId);
    if (request?.type !== 'ToolCallRequested') throw new Error(`run ${runId} has no ToolCallRequested ${callId} to open an approval for`);
    const at = now();
    const step = stepOfRun(runId);
    try {
      await store.append(
        stream,
        [
          {
            eventId: uuidV5(`${approvalId}/requested`, approvalNamespace),
            type: 'ApprovalRequested',
            schemaVersion: 1,
            tenantId: decision.tenantId,
            correlationId: decision.correlationId,
            causationId: decision.eventId,
            actor: { kind: 'service', id: 'approvals' },
            occurredAt: at,
            traceparent: decision.traceparent,
            data: {
              approvalId,
              sessionId,
              runId,
              callId,
              tool,
              agent,
              arguments: request.data.arguments,
              target,
              ruleId,
              policyVersion,
              reason,
              role: approval.role,
              approversRequired: approval.approvers,
              expiresAt: new Date(Date.parse(at) + approval.expiresInSeconds * 1000).toISOString(),
              onExpiry: approval.onExpiry,
              context: { goal: started?.type === 'SessionStarted' ? started.data.goal : '', ...(step ? { stepId: step.stepId } : {}) },
            },
          },
        ],
        { expectedVersion: 'no_stream' },
      );
      this.options.logger.info({ approvalId, tool, ruleId }, 'approval requested');
    } catch (error) {
      if (isEventStoreError(error) && error.code === 'WrongExpectedVersion') return; // opened already
      throw error;
    }
  }
}
