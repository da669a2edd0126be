import { z } from 'zod';
import { approvalIdSchema, approverSchema } from '../catalog/approval-events.js';
import { reasonSchema } from '../catalog/session-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/**
 * A person's decision on one pending approval. `approver` is who the gateway authenticated, with
 * the roles of their key: the decider checks them against the role the rule asked for.
 * `arguments` (approve only) replaces the call's arguments; the gateway has checked them against
 * the operation's schema.
 */
export const decideApprovalSchema = z.strictObject({
  type: z.literal('DecideApproval'),
  approvalId: approvalIdSchema,
  decision: z.enum(['approve', 'reject']),
  reason: reasonSchema.optional(),
  arguments: z.string().max(100_000).optional(),
  approver: approverSchema,
  metadata: commandMetadataSchema,
});
export type DecideApproval = Readonly<z.infer<typeof decideApprovalSchema>>;

/**
 * The approvals clock: an approval past its expiry escalates or expires. Sent by the approvals
 * sweep itself, with the time an escalation would last until (now plus the rule's period), since
 * deciders do no date arithmetic.
 */
export const expireApprovalSchema = z.strictObject({
  type: z.literal('ExpireApproval'),
  approvalId: approvalIdSchema,
  escalateUntil: z.iso.datetime({ offset: false }),
  metadata: commandMetadataSchema,
});
export type ExpireApproval = Readonly<z.infer<typeof expireApprovalSchema>>;

export const approvalCommandSchema = z.discriminatedUnion('type', [decideApprovalSchema, expireApprovalSchema]);
export type ApprovalCommand = z.infer<typeof approvalCommandSchema>;

/** An approvals command on `commands.approvals`, keyed by the `approval-<id>` stream. */
export const approvalCommandMessageSchema = z.strictObject({ commandId: z.uuid(), command: decideApprovalSchema });
export type ApprovalCommandMessage = z.infer<typeof approvalCommandMessageSchema>;
