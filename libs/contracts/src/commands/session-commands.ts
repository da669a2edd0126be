import { z } from 'zod';
import {
  agentNameSchema,
  forkOverridesSchema,
  planStepSchema,
  reasonSchema,
  sessionConstraintsSchema,
  sessionIdSchema as sessionId,
  sessionPauseReasons,
  stepIdSchema,
  usageSchema,
} from '../catalog/session-events.js';
import { commandMetadataSchema } from './command-metadata.js';

export const startSessionSchema = z.strictObject({
  type: z.literal('StartSession'),
  sessionId,
  goal: z.string().min(1).max(20_000),
  context: z.record(z.string(), z.unknown()),
  constraints: sessionConstraintsSchema,
  /** Resolved by the gateway from the agent registry, so the session runs on pinned versions. */
  agentVersions: z.record(agentNameSchema, z.number().int().min(1)),
  /** Resolved by the gateway from the tool registry, likewise. */
  toolVersions: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.number().int().min(1)),
  metadata: commandMetadataSchema,
});

/** A planner's proposal, answering the PlanRequested with this attempt number. */
export const recordPlanSchema = z.strictObject({
  type: z.literal('RecordPlan'),
  sessionId,
  attempt: z.number().int().min(1),
  steps: z.array(planStepSchema).min(1).max(200),
  rationale: z.string().max(10_000).optional(),
  /** What the planner run spent; recorded even when the plan is no longer current. */
  usage: usageSchema.optional(),
  metadata: commandMetadataSchema,
});

export const stepResultSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('completed'), output: z.unknown(), usage: usageSchema }),
  z.strictObject({ outcome: z.literal('failed'), reason: reasonSchema, retryable: z.boolean(), usage: usageSchema.optional() }),
]);

/** What an agent run answered for one scheduled attempt of a step. */
export const recordStepResultSchema = z.strictObject({
  type: z.literal('RecordStepResult'),
  sessionId,
  stepId: stepIdSchema,
  attempt: z.number().int().min(1),
  result: stepResultSchema,
  metadata: commandMetadataSchema,
});

/**
 * A reviewer's verdict. A rework names the steps to redo; without names, every step is redone.
 * A rework needs at least one reason: the reworked steps are told why.
 */
export const reviewVerdictSchema = z.discriminatedUnion('verdict', [
  z.strictObject({ verdict: z.literal('pass'), reasons: z.array(reasonSchema).max(50) }),
  z.strictObject({
    verdict: z.literal('rework'),
    reasons: z.array(reasonSchema).min(1).max(50),
    stepIds: z.array(stepIdSchema).min(1).max(200).optional(),
  }),
]);

export const recordReviewSchema = z.strictObject({
  type: z.literal('RecordReview'),
  sessionId,
  round: z.number().int().min(1),
  review: reviewVerdictSchema,
  usage: usageSchema.optional(),
  metadata: commandMetadataSchema,
});

/**
 * A planner or reviewer run that gave no usable answer (a step's failure is a RecordStepResult).
 * A retryable plan failure asks for another plan while attempts remain; anything else ends the session.
 */
export const recordAgentFailureSchema = z.strictObject({
  type: z.literal('RecordAgentFailure'),
  sessionId,
  task: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('plan'), attempt: z.number().int().min(1) }),
    z.strictObject({ kind: z.literal('review'), round: z.number().int().min(1) }),
  ]),
  reason: reasonSchema,
  retryable: z.boolean(),
  /** What the failed run spent before it failed. */
  usage: usageSchema.optional(),
  metadata: commandMetadataSchema,
});

/** Sent by a timer: `metadata.now` is the time to judge timeouts and the deadline against. */
export const checkTimeoutsSchema = z.strictObject({
  type: z.literal('CheckTimeouts'),
  sessionId,
  /**
   * Step attempts whose tool calls a person was asked to approve, as the approvals read model
   * knows them (an input, like the time): `since` null while an approval is pending (the step's
   * timeout does not run), otherwise when the last was settled (the timeout counts from then).
   */
  approvalHolds: z.array(z.strictObject({ stepId: z.string(), attempt: z.number().int().min(1), since: z.iso.datetime({ offset: false }).nullable() })).max(1000).optional(),
  metadata: commandMetadataSchema,
});

export const cancelSessionSchema = z.strictObject({
  type: z.literal('CancelSession'),
  sessionId,
  reason: reasonSchema.optional(),
  metadata: commandMetadataSchema,
});

/**
 * Sent by the orchestrator itself when the session's tenant is suspended (or deleted), and again by
 * its sweep while the session has not taken it: `tenantStatusVersion` orders these against
 * ResumeSession, so only the latest tenant status counts.
 */
export const pauseSessionSchema = z.strictObject({
  type: z.literal('PauseSession'),
  sessionId,
  reason: z.enum(sessionPauseReasons),
  tenantStatusVersion: z.number().int().min(0),
  metadata: commandMetadataSchema,
});

/** Sent when the session's tenant is resumed; see PauseSession. */
export const resumeSessionSchema = z.strictObject({
  type: z.literal('ResumeSession'),
  sessionId,
  tenantStatusVersion: z.number().int().min(0),
  metadata: commandMetadataSchema,
});

/**
 * Starts `sessionId` as a fork of another session of the same tenant: the original's events up to
 * and including `from.version` are copied, and the session goes on from there with `overrides`.
 */
export const forkSessionSchema = z.strictObject({
  type: z.literal('ForkSession'),
  sessionId,
  from: z.strictObject({ sessionId, version: z.number().int().min(0) }),
  overrides: forkOverridesSchema,
  metadata: commandMetadataSchema,
});

export const sessionCommandSchema = z.discriminatedUnion('type', [
  forkSessionSchema,
  startSessionSchema,
  recordPlanSchema,
  recordStepResultSchema,
  recordReviewSchema,
  recordAgentFailureSchema,
  checkTimeoutsSchema,
  cancelSessionSchema,
  pauseSessionSchema,
  resumeSessionSchema,
]);

export type StartSession = Readonly<z.infer<typeof startSessionSchema>>;
export type RecordPlan = Readonly<z.infer<typeof recordPlanSchema>>;
export type StepResult = Readonly<z.infer<typeof stepResultSchema>>;
export type RecordStepResult = Readonly<z.infer<typeof recordStepResultSchema>>;
export type ReviewVerdict = Readonly<z.infer<typeof reviewVerdictSchema>>;
export type RecordReview = Readonly<z.infer<typeof recordReviewSchema>>;
export type RecordAgentFailure = Readonly<z.infer<typeof recordAgentFailureSchema>>;
export type CheckTimeouts = Readonly<z.infer<typeof checkTimeoutsSchema>>;
export type CancelSession = Readonly<z.infer<typeof cancelSessionSchema>>;
export type PauseSession = Readonly<z.infer<typeof pauseSessionSchema>>;
export type ResumeSession = Readonly<z.infer<typeof resumeSessionSchema>>;
export type ForkSession = Readonly<z.infer<typeof forkSessionSchema>>;
export type SessionCommand = ForkSession | StartSession | RecordPlan | RecordStepResult | RecordReview | RecordAgentFailure | CheckTimeouts | CancelSession | PauseSession | ResumeSession;
