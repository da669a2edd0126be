import {
  describeParseError,
  recordPlanSchema,
  reviewVerdictSchema,
  type AgentRunEvent,
  type CommandMetadata,
  type SessionCommand,
} from '@agent-orchestrator/contracts';

/** An agent run's outcome as the orchestrator reads it from `events.agentrun`. */
export type RunOutcomeEvent = Extract<AgentRunEvent, { type: 'AgentRunCompleted' | 'AgentRunFailed' }>;

export const orchestratorActor = { kind: 'service', id: 'orchestrator' } as const;

/** What the session events an outcome causes are stamped with; ids are added by who decides. */
export function outcomeMetadata(outcome: RunOutcomeEvent, now: string, eventIds: readonly string[] = []): CommandMetadata {
  const { tenantId, correlationId, eventId, traceparent } = outcome;
  return { tenantId, correlationId, causationId: eventId, actor: orchestratorActor, traceparent, now, eventIds: [...eventIds] };
}

/**
 * What an agent run's outcome means for its session, as a session command. A planner or reviewer
 * answer that does not have the shape the orchestrator needs is a failure of that run (a planner
 * may be asked again), not a refusal of the message. `metadata` stamps what it decides.
 */
export function commandForOutcome(outcome: RunOutcomeEvent, metadata: CommandMetadata): SessionCommand {
  const { sessionId, task } = outcome.data;
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
      return { type: 'RecordAgentFailure', sessionId, task, reason: `the plan is not usable: ${describeParseError(plan.error)}`.slice(0, 4000), retryable: true, usage, metadata };
    }
    case 'review': {
      const review = reviewVerdictSchema.safeParse(output);
      if (review.success) return { type: 'RecordReview', sessionId, round: task.round, review: review.data, usage, metadata };
      return { type: 'RecordAgentFailure', sessionId, task, reason: `the verdict is not usable: ${describeParseError(review.error)}`.slice(0, 4000), retryable: false, usage, metadata };
    }
  }
}

/**
 * A plan the decider found unrunnable (a cycle, an unknown dependency) counts as a failed planner
 * run, so the planner is asked again within its attempts. `metadata` carries the ids derived for
 * this second command (`<outcome id>/plan-refused`).
 */
export function planRefusedCommand(command: Extract<SessionCommand, { type: 'RecordPlan' }>, refusal: string, metadata: CommandMetadata): SessionCommand {
  return {
    type: 'RecordAgentFailure',
    sessionId: command.sessionId,
    task: { kind: 'plan', attempt: command.attempt },
    reason: `the plan is not runnable: ${refusal}`.slice(0, 4000),
    retryable: true,
    ...(command.usage === undefined ? {} : { usage: command.usage }),
    metadata,
  };
}

/** The command id the ids of a refused plan's failure derive from. */
export const planRefusedCommandId = (outcomeEventId: string): string => `${outcomeEventId}/plan-refused`;
