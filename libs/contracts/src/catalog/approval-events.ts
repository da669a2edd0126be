import { z } from 'zod';
import { roles } from '../roles.js';
import { agentRunIdSchema, toolCallIdSchema } from './agent-run-events.js';
import { defineEvent, type EventOf } from './catalog.js';
import { policyTargetSchema } from './policy-events.js';
import { agentNameSchema, reasonSchema, sessionIdSchema, stepIdSchema } from './session-events.js';

export const approvalIdSchema = z.uuid();
const approver = z.strictObject({ id: z.string().min(1).max(200), roles: z.array(z.enum(roles)).max(roles.length) });
const argumentsJson = z.string().max(100_000);

const call = {
  approvalId: approvalIdSchema,
  sessionId: sessionIdSchema,
  runId: agentRunIdSchema,
  callId: toolCallIdSchema,
  tool: z.string().min(1).max(200),
};

/**
 * A call held for a person, on its `approval-<approvalId>` stream: what was asked, by which agent
 * in which step of which goal, the rule that held it, who may decide, how many must agree, and
 * until when.
 */
export const ApprovalRequested = defineEvent('ApprovalRequested', [
  {
    schema: z.strictObject({
      ...call,
      agent: agentNameSchema,
      arguments: argumentsJson,
      target: policyTargetSchema,
      ruleId: z.string().min(1).max(100),
      policyVersion: z.number().int().min(0),
      reason: reasonSchema,
      role: z.enum(roles),
      approversRequired: z.number().int().min(1).max(10),
      expiresAt: z.iso.datetime({ offset: false }),
      onExpiry: z.enum(['fail', 'escalate']),
      context: z.strictObject({ goal: z.string().max(20_000), stepId: stepIdSchema.optional() }),
    }),
  },
]);

/**
 * One approver said yes, short of the quorum. With `arguments` the approver edited the call:
 * earlier votes were for other arguments, so they no longer count.
 */
export const ApprovalVoteRecorded = defineEvent('ApprovalVoteRecorded', [
  { schema: z.strictObject({ approvalId: approvalIdSchema, approver, reason: reasonSchema.optional(), arguments: argumentsJson.optional() }) },
]);

/** Nobody decided in time and the rule escalates: admins may decide until the new expiry. */
export const ApprovalEscalated = defineEvent('ApprovalEscalated', [
  { schema: z.strictObject({ approvalId: approvalIdSchema, role: z.enum(roles), expiresAt: z.iso.datetime({ offset: false }) }) },
]);

/** Quorum reached: the call runs with `arguments` (edited when `edited`). */
export const ApprovalGranted = defineEvent('ApprovalGranted', [
  { schema: z.strictObject({ ...call, arguments: argumentsJson, edited: z.boolean(), approvers: z.array(approver).min(1).max(10), reason: reasonSchema.optional() }) },
]);

export const ApprovalRejected = defineEvent('ApprovalRejected', [{ schema: z.strictObject({ ...call, rejectedBy: approver, reason: reasonSchema }) }]);

export const ApprovalExpired = defineEvent('ApprovalExpired', [{ schema: z.strictObject({ ...call, expiredAt: z.iso.datetime({ offset: false }) }) }]);

export const approvalEvents = [ApprovalRequested, ApprovalVoteRecorded, ApprovalEscalated, ApprovalGranted, ApprovalRejected, ApprovalExpired] as const;
export type ApprovalEvent = EventOf<(typeof approvalEvents)[number]>;
export type Approver = z.infer<typeof approver>;
export { approver as approverSchema };
