import {
  eventCatalog,
  sessionCommandSchema,
  type CancelSession,
  type CheckTimeouts,
  type CommandMetadata,
  type ForkOverrides,
  type ForkSession,
  type PauseSession,
  type PlanStep,
  type RecordAgentFailure,
  type RecordPlan,
  type RecordReview,
  type RecordStepResult,
  type ResumeSession,
  type SessionCommand,
  type SessionConstraints,
  type SessionEvent,
  type StartSession,
  type Usage,
} from '@agent-orchestrator/contracts';
import { decide } from './decide.js';
import { maxEventsPerDecision } from './decision.js';
import type { SessionErrorCode } from './errors.js';
import { evolve } from './evolve.js';
import { defaultSessionPolicy, type SessionPolicy } from './policy.js';
import { initialState, type SessionState } from './state.js';

/**
 * Decider specs read as: given these events in the log, when this command arrives, then these
 * events are decided (or this error). `then` compares type and data; it also checks that every
 * decided event is valid in the catalog and is stamped from the command's metadata.
 */
export function given(...history: SessionEvent[]) {
  return scenario(history, defaultSessionPolicy);
}

function scenario(history: readonly SessionEvent[], policy: SessionPolicy, original?: readonly SessionEvent[]) {
  return {
    withPolicy: (overrides: Partial<SessionPolicy>) => scenario(history, { ...policy, ...overrides }, original),
    /** The original session's events a ForkSession copies, as its handler reads them. */
    forkedFrom: (...events: SessionEvent[]) => scenario(history, policy, events),
    when(command: SessionCommand) {
      // A command a test builds must be one the gateway could build.
      const parsed = sessionCommandSchema.safeParse(command);
      if (!parsed.success) throw new Error(`the spec's command is not a valid ${command.type}: ${parsed.error.message}`);
      const state = history.reduce(evolve, initialState());
      const run = () => decide(command, state, policy, original);
      return {
        then(...expected: SessionEvent[]): SessionEvent[] {
          const decided = run();
          expect(decided.map(typeAndData)).toEqual(expected.map(typeAndData));
          decided.forEach((event, index) => {
            expect(eventCatalog.validateNewEvent(event)).toEqual({ ok: true });
            // A fork's copy is caused by the event it copies; every other event by the command.
            const copied = command.type === 'ForkSession' ? original?.[index] : undefined;
            const causationId = copied === undefined ? command.metadata.causationId : copied.eventId;
            expect(event).toMatchObject({ ...envelopeFrom(command.metadata), causationId, eventId: command.metadata.eventIds[index] });
          });
          return decided;
        },
        thenNothing(): void {
          expect(run()).toEqual([]);
        },
        /** Compares the code, not the class, as adapters do. */
        thenError(code: SessionErrorCode, message: RegExp): void {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          const { code: thrownCode, message: thrownMessage } = (thrown ?? {}) as { code?: unknown; message?: unknown };
          expect({ code: thrownCode, message: thrownMessage }).toEqual({ code, message: expect.stringMatching(message) });
        },
      };
    },
  };
}

const typeAndData = ({ type, data }: SessionEvent) => ({ type, data });

const envelopeFrom = ({ now, tenantId, correlationId, causationId, actor, traceparent }: CommandMetadata) => ({
  occurredAt: now,
  tenantId,
  correlationId,
  causationId,
  actor,
  traceparent,
});

export function stateAfter(...history: SessionEvent[]): SessionState {
  return history.reduce(evolve, initialState());
}

export const sessionId = '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c';
/** The fork's id in fork specs; `sessionId` is then the original's. */
export const forkId = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
export const T0 = '2026-11-22T09:00:00.000Z';

/** An instant `seconds` after T0 (within the same day), written without a clock. */
export function after(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const total = 9 * 3600 + seconds;
  return `2026-11-22T${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}.000Z`;
}

const orchestrator = { kind: 'service', id: 'orchestrator' } as const;
const eventIds = Array.from({ length: maxEventsPerDecision }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

type DataOf<Type extends SessionEvent['type']> = Extract<SessionEvent, { type: Type }>['data'];

/** A session event as the log holds it; only type, data and occurredAt matter to the decider. */
export function event<Type extends SessionEvent['type']>(type: Type, data: DataOf<Type>, occurredAt = T0): SessionEvent {
  const schemaVersion = eventCatalog.latestVersion(type);
  return {
    eventId: '00000000-0000-4000-8000-ffffffffffff',
    type,
    schemaVersion,
    tenantId: 'acme',
    correlationId: sessionId,
    causationId: null,
    actor: orchestrator,
    occurredAt,
    traceparent: null,
    data,
  } as SessionEvent;
}

export const usage = (inputTokens: number, outputTokens: number, costUsd: number): Usage => ({ inputTokens, outputTokens, costUsd });

export const planStep = (stepId: string, dependsOn: string[] = [], agent = 'Executor'): PlanStep => ({
  stepId,
  title: `Do ${stepId}`,
  agent,
  dependsOn,
});

/** Shorthands for the events specs repeat most. */
export const started = (constraints: SessionConstraints = {}) =>
  event('SessionStarted', { goal: 'Summarise open invoices for Q3', context: {}, constraints, agentVersions: { Planner: 3 }, toolVersions: {} });
export const planRequested = (attempt = 1, occurredAt = T0) => event('PlanRequested', { planner: 'Planner', attempt }, occurredAt);
export const planProposed = (...steps: PlanStep[]) => event('PlanProposed', { steps });
export const stepScheduled = (stepId: string, attempt = 1, occurredAt = T0) =>
  event('StepScheduled', { stepId, agent: 'Executor', attempt }, occurredAt);
export const stepCompleted = (stepId: string, attempt = 1, spent = usage(100, 20, 0.25), output: unknown = `${stepId} done`) =>
  event('StepCompleted', { stepId, attempt, output, usage: spent });
export const stepFailed = (stepId: string, attempt: number, reason: string, retryable = true) =>
  event('StepFailed', { stepId, attempt, reason, retryable });
/** The plan most specs use: two independent steps, then one that needs both. */
export const parallelPlan = (): PlanStep[] => [planStep('a'), planStep('b'), planStep('c', ['a', 'b'])];
/** A session with that plan whose two independent steps are scheduled. */
export const executingParallelPlan = (constraints: SessionConstraints = {}) => [
  started(constraints),
  planRequested(),
  planProposed(...parallelPlan()),
  stepScheduled('a'),
  stepScheduled('b'),
];
export const reviewRequested = (round = 1, occurredAt = T0) => event('ReviewRequested', { round, reviewer: 'Reviewer' }, occurredAt);

/** The parallel plan done (usage 160 in, 35 out, 0.875 USD) and its first review requested. */
export const awaitingFirstReview = (): SessionEvent[] => [
  started(),
  planRequested(),
  planProposed(...parallelPlan()),
  stepScheduled('a'),
  stepScheduled('b'),
  stepCompleted('a', 1, usage(100, 20, 0.25)),
  stepCompleted('b', 1, usage(50, 10, 0.5)),
  stepScheduled('c'),
  stepCompleted('c', 1, usage(10, 5, 0.125)),
  reviewRequested(1),
];
export const sessionFailed = (reason: string, spent: Usage) => event('SessionFailed', { reason, usage: spent });

export function metadata(now = after(10)): CommandMetadata {
  return { now, eventIds, tenantId: 'acme', correlationId: sessionId, causationId: 'cmd-1', actor: orchestrator, traceparent: null };
}

/** The commands specs send; `now` defaults to ten seconds after T0. */
export const command = {
  start: (constraints: SessionConstraints = {}, now?: string): StartSession => ({
    type: 'StartSession',
    sessionId,
    goal: 'Summarise open invoices for Q3',
    context: {},
    constraints,
    agentVersions: { Planner: 3 },
    toolVersions: {},
    metadata: metadata(now),
  }),
  recordPlan: (steps: PlanStep[], attempt = 1): RecordPlan => ({
    type: 'RecordPlan',
    sessionId,
    attempt,
    steps,
    metadata: metadata(),
  }),
  stepCompleted: (stepId: string, attempt = 1, spent = usage(100, 20, 0.25), output: unknown = `${stepId} done`): RecordStepResult => ({
    type: 'RecordStepResult',
    sessionId,
    stepId,
    attempt,
    result: { outcome: 'completed', output, usage: spent },
    metadata: metadata(),
  }),
  stepFailed: (stepId: string, attempt: number, reason: string, retryable = true): RecordStepResult => ({
    type: 'RecordStepResult',
    sessionId,
    stepId,
    attempt,
    result: { outcome: 'failed', reason, retryable },
    metadata: metadata(),
  }),
  agentFailed: (task: RecordAgentFailure['task'], reason: string, retryable = true): RecordAgentFailure => ({
    type: 'RecordAgentFailure',
    sessionId,
    task,
    reason,
    retryable,
    metadata: metadata(),
  }),
  pass: (round: number, reasons: string[] = []): RecordReview => ({
    type: 'RecordReview',
    sessionId,
    round,
    review: { verdict: 'pass', reasons },
    metadata: metadata(),
  }),
  rework: (round: number, reasons: string[], stepIds?: string[]): RecordReview => ({
    type: 'RecordReview',
    sessionId,
    round,
    review: stepIds === undefined ? { verdict: 'rework', reasons } : { verdict: 'rework', reasons, stepIds },
    metadata: metadata(),
  }),
  checkTimeouts: (now: string): CheckTimeouts => ({ type: 'CheckTimeouts', sessionId, metadata: metadata(now) }),
  pause: (tenantStatusVersion = 2, reason: PauseSession['reason'] = 'tenant_suspended', now?: string): PauseSession => ({
    type: 'PauseSession',
    sessionId,
    reason,
    tenantStatusVersion,
    metadata: metadata(now),
  }),
  resume: (tenantStatusVersion = 3, now?: string): ResumeSession => ({ type: 'ResumeSession', sessionId, tenantStatusVersion, metadata: metadata(now) }),
  fork: (from: { sessionId: string; version: number }, overrides: ForkOverrides = {}): ForkSession => ({
    type: 'ForkSession',
    sessionId: forkId,
    from,
    overrides,
    metadata: { ...metadata(), correlationId: forkId },
  }),
  cancel: (reason?: string): CancelSession => ({
    type: 'CancelSession',
    sessionId,
    ...(reason === undefined ? {} : { reason }),
    metadata: metadata(),
  }),
};

export const usageRecorded = (task: DataOf<'UsageRecorded'>['task'], spent: Usage) => event('UsageRecorded', { task, usage: spent });
export const sessionPaused = (tenantStatusVersion = 2, occurredAt = T0, reason: PauseSession['reason'] = 'tenant_suspended') =>
  event('SessionPaused', { reason, tenantStatusVersion }, occurredAt);
export const sessionResumed = (tenantStatusVersion = 3, occurredAt = T0) => event('SessionResumed', { tenantStatusVersion }, occurredAt);
