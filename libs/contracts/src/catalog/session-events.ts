import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';

const stepId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
/** The id part of a `session-<id>` stream name. */
const sessionId = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/);
const agentName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/);
const reason = z.string().min(1).max(4000);

export const usageSchema = z.strictObject({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  costUsd: z.number().min(0),
});

export type Usage = z.infer<typeof usageSchema>;

export const sessionConstraintsSchema = z.strictObject({
  maxSteps: z.number().int().min(1).max(1000).optional(),
  maxTokens: z.number().int().min(1).optional(),
  maxCostUsd: z.number().min(0).optional(),
  deadline: z.iso.datetime({ offset: false }).optional(),
  allowedTools: z.array(z.string().min(1).max(200)).max(500).optional(),
});

export type SessionConstraints = z.infer<typeof sessionConstraintsSchema>;

const sessionStartedV1 = z.strictObject({
  goal: z.string().min(1).max(20_000),
  context: z.record(z.string(), z.unknown()).optional(),
  constraints: sessionConstraintsSchema.optional(),
});

/**
 * v2 pins the agent definition versions a session started with, so a later edit of an agent
 * never changes a running session. v1 sessions predate pinning: they ran on whatever version was
 * current, which upcasts to an empty pin set.
 */
const sessionStartedV2 = z.strictObject({
  goal: z.string().min(1).max(20_000),
  context: z.record(z.string(), z.unknown()),
  constraints: sessionConstraintsSchema,
  agentVersions: z.record(agentName, z.number().int().min(1)),
});

/** v3 also pins the tool versions, so a re-registered tool never changes a running session. */
const sessionStartedV3 = sessionStartedV2.extend({
  toolVersions: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.number().int().min(1)),
});

export const SessionStarted = defineEvent('SessionStarted', [
  { schema: sessionStartedV1 },
  {
    schema: sessionStartedV2,
    upcastFromPrevious: (v1: z.infer<typeof sessionStartedV1>) => ({
      goal: v1.goal,
      context: v1.context ?? {},
      constraints: v1.constraints ?? {},
      agentVersions: {},
    }),
  },
  {
    schema: sessionStartedV3,
    upcastFromPrevious: (v2: z.infer<typeof sessionStartedV2>) => ({ ...v2, toolVersions: {} }),
  },
]);

export const PlanRequested = defineEvent('PlanRequested', [
  { schema: z.strictObject({ planner: agentName, attempt: z.number().int().min(1) }) },
]);

export const planStepSchema = z.strictObject({
  stepId,
  title: z.string().min(1).max(500),
  agent: agentName,
  dependsOn: z.array(stepId).max(100),
  input: z.unknown().optional(),
});

export type PlanStep = z.infer<typeof planStepSchema>;

export const PlanProposed = defineEvent('PlanProposed', [
  { schema: z.strictObject({ steps: z.array(planStepSchema).min(1).max(200), rationale: z.string().max(10_000).optional() }) },
]);

export const StepScheduled = defineEvent('StepScheduled', [
  { schema: z.strictObject({ stepId, agent: agentName, attempt: z.number().int().min(1) }) },
]);

export const StepCompleted = defineEvent('StepCompleted', [
  { schema: z.strictObject({ stepId, attempt: z.number().int().min(1), output: z.unknown(), usage: usageSchema }) },
]);

export const StepFailed = defineEvent('StepFailed', [
  { schema: z.strictObject({ stepId, attempt: z.number().int().min(1), reason, retryable: z.boolean() }) },
]);

export const ReviewRequested = defineEvent('ReviewRequested', [
  { schema: z.strictObject({ round: z.number().int().min(1), reviewer: agentName }) },
]);

export const ReviewCompleted = defineEvent('ReviewCompleted', [
  {
    schema: z.strictObject({
      round: z.number().int().min(1),
      verdict: z.enum(['pass', 'rework']),
      reasons: z.array(reason).max(50),
    }),
  },
]);

export const ReworkRequested = defineEvent('ReworkRequested', [
  { schema: z.strictObject({ round: z.number().int().min(1), reasons: z.array(reason).min(1).max(50), stepIds: z.array(stepId).min(1) }) },
]);

export const SessionCompleted = defineEvent('SessionCompleted', [
  { schema: z.strictObject({ result: z.unknown(), usage: usageSchema }) },
]);

export const SessionFailed = defineEvent('SessionFailed', [{ schema: z.strictObject({ reason, usage: usageSchema }) }]);

export const SessionCancelled = defineEvent('SessionCancelled', [
  { schema: z.strictObject({ reason: reason.optional(), usage: usageSchema }) },
]);

export const BudgetExceeded = defineEvent('BudgetExceeded', [
  {
    schema: z.strictObject({
      budget: z.enum(['steps', 'tokens', 'costUsd', 'deadline']),
      limit: z.union([z.number(), z.string()]),
      used: z.union([z.number(), z.string()]),
    }),
  },
]);

/**
 * Tokens and cost spent by a planner or reviewer run, or by a step attempt whose answer came too
 * late to count (a current step's usage travels on StepCompleted). Every model response a session
 * pays for is summed into its usage and its budgets, whether or not its answer was used.
 */
export const UsageRecorded = defineEvent('UsageRecorded', [
  {
    schema: z.strictObject({
      task: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('plan'), attempt: z.number().int().min(1) }),
        z.strictObject({ kind: z.literal('step'), stepId, attempt: z.number().int().min(1) }),
        z.strictObject({ kind: z.literal('review'), round: z.number().int().min(1) }),
      ]),
      usage: usageSchema,
    }),
  },
]);

/** Why a session was paused: its tenant was suspended, or deleted (kept for its retention period). */
export const sessionPauseReasons = ['tenant_suspended', 'tenant_deleted'] as const;
export type SessionPauseReason = (typeof sessionPauseReasons)[number];

/**
 * `tenantStatusVersion` is the streamVersion, on `admin-<tenant>`, of the tenant event the pause
 * or resumption follows. Later versions win, so a pause or resume that arrives late or again
 * changes nothing.
 */
const tenantStatusVersion = z.number().int().min(0);

/**
 * The session schedules no new work (plan, step, review) and its timeouts stop, until
 * SessionResumed. What was already running is recorded when it answers; what it leads to is held.
 */
export const SessionPaused = defineEvent('SessionPaused', [
  { schema: z.strictObject({ reason: z.enum(sessionPauseReasons), tenantStatusVersion }) },
]);

/** The session goes on: held work is scheduled in the same decision, and timeouts count again from now. */
export const SessionResumed = defineEvent('SessionResumed', [{ schema: z.strictObject({ tenantStatusVersion }) }]);

/**
 * A planner attempt failed while the session was paused and another attempt is allowed: it is
 * requested when the session resumes. (Held steps and reviews need no event: the steps' states
 * say what is ready.)
 */
export const PlanRetryHeld = defineEvent('PlanRetryHeld', [{ schema: z.strictObject({ attempt: z.number().int().min(1), reason }) }]);

/**
 * What a fork runs with instead of the original: the scripted model's script or fixture (in place
 * of the context's `modelScript`/`modelFixture`), agent definition versions pinned over the
 * original's, a model name for every run, a pinned version of the tenant's tool policy.
 */
export const forkOverridesSchema = z.strictObject({
  modelScript: z.unknown().optional(),
  modelFixture: z.string().min(1).max(200).optional(),
  agentVersions: z.record(agentName, z.number().int().min(1)).optional(),
  model: z.string().min(1).max(200).optional(),
  /** The tenant's policy version the fork's tool calls are checked against, in place of the current one. */
  policyVersion: z.number().int().min(1).optional(),
});
export type ForkOverrides = z.infer<typeof forkOverridesSchema>;

/**
 * The session is a fork: the session events before this one are copies, in order, of the
 * original's up to `from.version` (each copy's causationId is the id of the event it copies). A
 * request for work among the copies was answered in the original, not here: what was in flight
 * at the fork is requested again after this event, under the overrides.
 */
export const SessionForked = defineEvent('SessionForked', [
  {
    schema: z.strictObject({
      from: z.strictObject({ sessionId, version: z.number().int().min(0) }),
      overrides: forkOverridesSchema,
    }),
  },
]);

export const sessionEvents = [
  SessionStarted,
  PlanRequested,
  PlanProposed,
  StepScheduled,
  StepCompleted,
  StepFailed,
  ReviewRequested,
  ReviewCompleted,
  ReworkRequested,
  SessionCompleted,
  SessionFailed,
  SessionCancelled,
  BudgetExceeded,
  UsageRecorded,
  SessionPaused,
  SessionResumed,
  PlanRetryHeld,
  SessionForked,
] as const;

/** Any event of the session stream, typed by its latest version. */
export type SessionEvent = EventOf<(typeof sessionEvents)[number]>;

export { agentName as agentNameSchema, reason as reasonSchema, sessionId as sessionIdSchema, stepId as stepIdSchema };

/** A session's status as clients see it; the read model derives it from the session's events. */
export const sessionStatuses = ['queued', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];
