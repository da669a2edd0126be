import {
  parseStreamName,
  recordPlanSchema,
  reviewVerdictSchema,
  type AgentRunEvent,
  type CommandMetadata,
  type EventEnvelope,
  type SessionCommand,
} from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { Logger } from 'pino';
import { z } from 'zod';
import { decideSessionCommand, sessionErrorCode } from './session-command-handler.js';

export type RunOutcome = EventEnvelope & Extract<AgentRunEvent, { type: 'AgentRunCompleted' | 'AgentRunFailed' }>;

const actor = { kind: 'service', id: 'orchestrator' } as const;

/**
 * What an agent run's outcome means for its session, as a session command. A planner or reviewer
 * answer that does not have the shape the orchestrator needs is a failure of that run (a planner
 * may be asked again), not a refusal of the message.
 */
export function commandForOutcome(outcome: RunOutcome, now: string): SessionCommand {
  const { sessionId, task } = outcome.data;
  const metadata: CommandMetadata = {
    tenantId: outcome.tenantId,
    correlationId: outcome.correlationId,
    causationId: outcome.eventId,
    actor,
    traceparent: outcome.traceparent,
    now,
    eventIds: [],
  };
  const { usage } = outcome.data;
  if (outcome.type === 'AgentRunFailed') {
    const { reason, retryable } = outcome.data;
    if (task.kind === 'step') {
      return { type: 'RecordStepResult', sessionId, stepId: task.stepId, attempt: task.attempt, result: { outcome: 'failed', reason, retryable, usage }, metadata };
    }
    return { type: 'RecordAgentFailure', sessionId, task, reason, retryable, usage, metadata };
  }
  const { output } = outcome.data;
  switch (task.kind) {
    case 'step':
      return { type: 'RecordStepResult', sessionId, stepId: task.stepId, attempt: task.attempt, result: { outcome: 'completed', output, usage }, metadata };
    case 'plan': {
      const plan = recordPlanSchema.safeParse({ type: 'RecordPlan', sessionId, attempt: task.attempt, ...(output as object), usage, metadata });
      if (plan.success) return plan.data;
      return { type: 'RecordAgentFailure', sessionId, task, reason: `the plan is not usable: ${z.prettifyError(plan.error)}`.slice(0, 4000), retryable: true, usage, metadata };
    }
    case 'review': {
      const review = reviewVerdictSchema.safeParse(output);
      if (review.success) return { type: 'RecordReview', sessionId, round: task.round, review: review.data, usage, metadata };
      return { type: 'RecordAgentFailure', sessionId, task, reason: `the verdict is not usable: ${z.prettifyError(review.error)}`.slice(0, 4000), retryable: false, usage, metadata };
    }
  }
}

/**
 * Decides a run's outcome on its session. A plan the decider finds unrunnable (a cycle, an unknown
 * dependency) counts as a failed planner run, so the planner is asked again within its attempts.
 */
export async function decideRunOutcome(store: EventStore, logger: Logger, outcome: RunOutcome, now: string): Promise<void> {
  if (parseStreamName(outcome.streamId).category !== 'agentrun') return;
  const command = commandForOutcome(outcome, now);
  try {
    await decideSessionCommand(store, logger, outcome.eventId, command);
  } catch (error) {
    const refusal = error instanceof Error ? error.cause : undefined;
    if (command.type !== 'RecordPlan' || sessionErrorCode(refusal) !== 'InvalidPlan') throw error;
    const failure: SessionCommand = {
      type: 'RecordAgentFailure',
      sessionId: command.sessionId,
      task: { kind: 'plan', attempt: command.attempt },
      reason: `the plan is not runnable: ${(refusal as Error).message}`.slice(0, 4000),
      retryable: true,
      ...(command.usage === undefined ? {} : { usage: command.usage }),
      metadata: command.metadata,
    };
    // Its own command id, derived from the outcome's, so a redelivered outcome decides it once.
    await decideSessionCommand(store, logger, `${outcome.eventId}/plan-refused`, failure);
  }
}
