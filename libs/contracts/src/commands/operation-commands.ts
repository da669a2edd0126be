import { z } from 'zod';
import { maxOperationRate, operationFilterSchema, operationIdSchema, operationKindSchema, operationScopeSchema } from '../catalog/operation-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/*
 * Commands of the replay service on `commands.replay`, keyed by the operation's `operation-<id>`
 * stream. Each carries the caller's scope (a tenant, or the platform admin): the service acts on an
 * operation only for the scope that planned it, or for the platform admin.
 */

const reason = z.string().min(1).max(2000);

/** Match `filter` for an operation of `kind` and record the dry run; nothing is acted on until ConfirmOperation. */
export const planOperationSchema = z.strictObject({
  type: z.literal('PlanOperation'),
  operationId: operationIdSchema,
  kind: operationKindSchema,
  filter: operationFilterSchema,
  /** Items per second once confirmed; the service's default when left out. */
  rate: z.number().positive().max(maxOperationRate).optional(),
  /** Why (required for a discard: the API refuses one without). */
  reason: reason.optional(),
  scope: operationScopeSchema,
  metadata: commandMetadataSchema,
});
export type PlanOperation = Readonly<z.infer<typeof planOperationSchema>>;

const onOperation = <Type extends string>(type: Type) => z.strictObject({ type: z.literal(type), operationId: operationIdSchema, scope: operationScopeSchema, metadata: commandMetadataSchema });

/** Run the planned operation, exactly over the planned items. */
export const confirmOperationSchema = onOperation('ConfirmOperation');
export type ConfirmOperation = Readonly<z.infer<typeof confirmOperationSchema>>;
export const pauseOperationSchema = onOperation('PauseOperation');
export type PauseOperation = Readonly<z.infer<typeof pauseOperationSchema>>;
export const resumeOperationSchema = onOperation('ResumeOperation');
export type ResumeOperation = Readonly<z.infer<typeof resumeOperationSchema>>;
export const abortOperationSchema = onOperation('AbortOperation').extend({ reason: reason.optional() });
export type AbortOperation = Readonly<z.infer<typeof abortOperationSchema>>;

export const replayCommandSchema = z.discriminatedUnion('type', [planOperationSchema, confirmOperationSchema, pauseOperationSchema, resumeOperationSchema, abortOperationSchema]);
export type ReplayCommand = z.infer<typeof replayCommandSchema>;

/** A command of the replay service on `commands.replay`, keyed by the `operation-<id>` stream. */
export const replayCommandMessageSchema = z.strictObject({ commandId: z.uuid(), command: replayCommandSchema });
export type ReplayCommandMessage = z.infer<typeof replayCommandMessageSchema>;
