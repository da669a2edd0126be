import type { EventEnvelope } from '@agent-orchestrator/contracts';
import type { Approval } from './approval';

export interface EarlierStep {
  readonly stepId: string;
  readonly title: string;
  readonly agent?: string;
  readonly output: string;
  readonly completedAt: string;
}

export interface StepContext {
  /** The held step's title in the plan, when the plan names it. */
  readonly stepTitle?: string;
  /** Steps completed before the call was held, oldest first: what the agent knew when it asked. */
  readonly earlier: readonly EarlierStep[];
}

interface PlannedStep {
  readonly stepId: string;
  readonly title: string;
  readonly agent?: string;
}

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

function outputText(output: unknown): string {
  return typeof output === 'string' ? output : JSON.stringify(output, null, 2);
}

/**
 * Reads the session's log up to the moment the call was held. The newest plan names the steps
 * (a replan may rename them); a step completed twice (a retry) shows its last output.
 */
export function stepContextOf(events: readonly EventEnvelope[], approval: Pick<Approval, 'requestedAt' | 'context'>): StepContext {
  const heldAt = Date.parse(approval.requestedAt);
  const heldStep = approval.context.stepId;
  const plan = new Map<string, PlannedStep>();
  const completed = new Map<string, EarlierStep>();
  for (const event of events) {
    const data = record(event.data);
    if (event.type === 'PlanProposed' && Array.isArray(data.steps)) {
      plan.clear();
      for (const step of data.steps.map(record)) {
        if (typeof step.stepId === 'string') plan.set(step.stepId, { stepId: step.stepId, title: String(step.title ?? step.stepId), ...(typeof step.agent === 'string' ? { agent: step.agent } : {}) });
      }
    }
    if (event.type === 'StepCompleted' && typeof data.stepId === 'string' && data.stepId !== heldStep && Date.parse(event.occurredAt) <= heldAt) {
      completed.delete(data.stepId); // keep insertion order = order of (last) completion
      completed.set(data.stepId, { stepId: data.stepId, title: data.stepId, output: outputText(data.output), completedAt: event.occurredAt });
    }
  }
  const earlier = [...completed.values()].map((step) => {
    const planned = plan.get(step.stepId);
    return planned ? { ...step, title: planned.title, ...(planned.agent ? { agent: planned.agent } : {}) } : step;
  });
  const stepTitle = heldStep ? plan.get(heldStep)?.title : undefined;
  return { ...(stepTitle ? { stepTitle } : {}), earlier };
}
