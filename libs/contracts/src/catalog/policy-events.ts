import { z } from 'zod';
import { roles } from '../roles.js';
import { agentRunIdSchema, toolCallIdSchema } from './agent-run-events.js';
import { defineEvent, type EventOf } from './catalog.js';
import { agentNameSchema, reasonSchema, sessionIdSchema } from './session-events.js';

const ruleId = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'rule ids are letters, digits, "_", ".", ":" and "-", at most 100');
const names = (what: string) => z.array(z.string().min(1).max(200)).min(1).max(200).describe(what);
export const policyEffects = ['allow', 'deny', 'require_approval'] as const;
export type PolicyEffect = (typeof policyEffects)[number];

/** Who decides a call a rule holds for approval, how many must agree, and what happens when nobody does in time. */
export const approvalRequirementSchema = z.strictObject({
  role: z.enum(roles).default('approver'),
  approvers: z.number().int().min(1).max(10).default(1),
  expiresInSeconds: z.number().int().min(10).max(30 * 24 * 3600).default(24 * 3600),
  /** fail: the call is answered as refused; escalate: admins get the item for one more period, then it fails. */
  onExpiry: z.enum(['fail', 'escalate']).default('fail'),
});
export type ApprovalRequirement = z.infer<typeof approvalRequirementSchema>;

/**
 * One rule. It matches a call when every criterion it names matches (a criterion it leaves out
 * matches anything): the calling agent, the tool, the operation, its HTTP method, any of the
 * tool's scopes, or, as budget rules, what the session has spent so far (cost in USD or tokens,
 * from its log). Built-in tools (echo) have no operation, method or scopes.
 */
export const policyRuleSchema = z
  .strictObject({
    id: ruleId,
    description: z.string().max(1000).optional(),
    effect: z.enum(policyEffects),
    match: z
      .strictObject({
        agents: names('agent names').optional(),
        tools: names('tool names').optional(),
        operations: names('operation names').optional(),
        methods: z.array(z.enum(['get', 'put', 'post', 'delete', 'patch', 'head', 'options'])).min(1).max(7).optional(),
        scopes: names('tool scopes').optional(),
        sessionCostUsdAtLeast: z.number().min(0).optional(),
        sessionTokensAtLeast: z.number().int().min(0).optional(),
      })
      .default({}),
    approval: approvalRequirementSchema.optional(),
  })
  .refine((rule) => (rule.effect === 'require_approval') === (rule.approval !== undefined), {
    message: 'a rule has "approval" exactly when its effect is "require_approval"',
    path: ['approval'],
  });
export type PolicyRule = z.infer<typeof policyRuleSchema>;

/**
 * A tenant's tool policy. `allowedTools`, when given, is the allow-list: a call of any other tool
 * is denied whatever the rules say. Of the rules that match a call the strictest wins (deny, then
 * require_approval, then allow), the first of equals; with none matching, `defaultEffect` applies.
 */
export const policyDocumentSchema = z
  .strictObject({
    allowedTools: z.array(z.string().min(1).max(200)).max(500).optional(),
    rules: z.array(policyRuleSchema).max(200).default([]),
    defaultEffect: z.enum(['allow', 'deny']).default('allow'),
  })
  .refine((policy) => new Set(policy.rules.map((rule) => rule.id)).size === policy.rules.length, { message: 'rule ids must be unique', path: ['rules'] });
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

/** One version of a tenant's policy, on its `policy-<tenant>` stream. Version 0 is the policy before any: allow everything. */
export const PolicyUpdated = defineEvent('PolicyUpdated', [{ schema: z.strictObject({ version: z.number().int().min(1), policy: policyDocumentSchema }) }]);

const call = {
  sessionId: sessionIdSchema,
  runId: agentRunIdSchema,
  callId: toolCallIdSchema,
  agent: agentNameSchema,
  /** As the model called it: `echo`, or `<tool>__<operation>`. */
  tool: z.string().min(1).max(200),
};

/** What the policy knew of the call's operation, from the tool version the session pinned; null for a built-in tool. */
export const policyTargetSchema = z
  .strictObject({ tool: z.string(), version: z.number().int().min(1), operation: z.string(), method: z.string(), scopes: z.array(z.string()) })
  .nullable();

/** The policy's answer to one ToolCallRequested, on the call's `policycheck-<runId>.<callId>` stream. */
export const PolicyDecisionRecorded = defineEvent('PolicyDecisionRecorded', [
  {
    schema: z.strictObject({
      ...call,
      target: policyTargetSchema,
      effect: z.enum(policyEffects),
      /** The rule that decided, or `allow-list` / `default`. */
      ruleId: z.string().min(1).max(100),
      policyVersion: z.number().int().min(0),
      reason: reasonSchema,
      approval: approvalRequirementSchema.optional(),
    }),
  },
]);

/** A call the policy denied: follows its PolicyDecisionRecorded, for compliance to find violations without reading every decision. */
export const PolicyViolationRecorded = defineEvent('PolicyViolationRecorded', [
  { schema: z.strictObject({ ...call, ruleId: z.string().min(1).max(100), policyVersion: z.number().int().min(0), reason: reasonSchema }) },
]);

export const policyEvents = [PolicyUpdated] as const;
export const policyCheckEvents = [PolicyDecisionRecorded, PolicyViolationRecorded] as const;
export type PolicyEvent = EventOf<(typeof policyEvents)[number]>;
export type PolicyCheckEvent = EventOf<(typeof policyCheckEvents)[number]>;
export { ruleId as policyRuleIdSchema };

/** The policy before a tenant sets one: every call allowed (sessions still limit their tools with allowedTools). */
export const noPolicy: PolicyDocument = { rules: [], defaultEffect: 'allow' };

export interface CurrentPolicy {
  /** 0 before the tenant set any policy. */
  readonly version: number;
  readonly policy: PolicyDocument;
  readonly updatedAt: string | null;
}

export const initialPolicy: CurrentPolicy = { version: 0, policy: noPolicy, updatedAt: null };

/** The policy with one more event of its `policy-<tenant>` stream folded in. */
export function evolvePolicy(current: CurrentPolicy, event: { readonly type: string; readonly data: unknown; readonly occurredAt: string }): CurrentPolicy {
  if (event.type !== 'PolicyUpdated') return current;
  const { version, policy } = event.data as { version: number; policy: unknown };
  // Stored as sent: the schema fills in what the sender left to its defaults.
  return { version, policy: policyDocumentSchema.parse(policy), updatedAt: event.occurredAt };
}
