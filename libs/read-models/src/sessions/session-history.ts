import { randomUUID } from 'node:crypto';
import {
  eventCatalog,
  sessionStream,
  type NewEvent,
  type PlanStep,
  type SessionConstraints,
  type SessionEvent,
  type Usage,
} from '@agent-orchestrator/contracts';

type SessionEventType = SessionEvent['type'];
type DataOf<Type extends SessionEventType> = Extract<SessionEvent, { type: Type }>['data'];

/**
 * Test fixtures: the events of one session, stamped as the orchestrator stamps them, one second
 * apart from `startedAt`. Data is typed by the contracts' schemas, and the store validates it again.
 */
export class SessionHistory {
  readonly sessionId = randomUUID();
  readonly streamId = sessionStream(this.sessionId);
  private clock: number;

  constructor(
    readonly tenantId: string,
    readonly startedAt: string,
  ) {
    this.clock = Date.parse(startedAt);
  }

  /** When the next event occurs. */
  get now(): string {
    return new Date(this.clock).toISOString();
  }

  event<Type extends SessionEventType>(type: Type, data: DataOf<Type>): NewEvent<DataOf<Type>> {
    const occurredAt = this.now;
    this.clock += 1000;
    return {
      eventId: randomUUID(),
      type,
      schemaVersion: eventCatalog.latestVersion(type),
      tenantId: this.tenantId,
      correlationId: this.sessionId,
      causationId: null,
      actor: { kind: 'service', id: 'orchestrator' },
      occurredAt,
      traceparent: null,
      data,
    };
  }

  started(goal = 'Summarise the quarterly report', constraints: SessionConstraints = {}): NewEvent {
    return this.event('SessionStarted', { goal, context: {}, constraints, agentVersions: {}, toolVersions: {} });
  }

  planRequested(attempt = 1): NewEvent {
    return this.event('PlanRequested', { planner: 'Planner', attempt });
  }

  /** SessionStarted and the PlanRequested the decider appends with it. */
  begun(goal?: string, constraints?: SessionConstraints): NewEvent[] {
    return [this.started(goal, constraints), this.planRequested()];
  }

  planProposed(steps: PlanStep[]): NewEvent {
    return this.event('PlanProposed', { steps, rationale: 'research first, then write' });
  }

  scheduled(step: PlanStep, attempt = 1): NewEvent {
    return this.event('StepScheduled', { stepId: step.stepId, agent: step.agent, attempt });
  }

  completed(step: PlanStep, usage: Usage, attempt = 1): NewEvent {
    return this.event('StepCompleted', { stepId: step.stepId, attempt, output: { text: `${step.title}, attempt ${attempt}` }, usage });
  }
}

export const usage = (inputTokens: number, outputTokens: number, costUsd: number): Usage => ({ inputTokens, outputTokens, costUsd });

export const noUsage = usage(0, 0, 0);

export const planStep = (stepId: string, agent: string, dependsOn: string[] = []): PlanStep => ({
  stepId,
  title: `Do ${stepId}`,
  agent,
  dependsOn,
});
