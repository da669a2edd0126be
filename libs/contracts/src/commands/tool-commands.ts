import { z } from 'zod';
import { toolNameSchema } from '../catalog/agent-events.js';
import { egressAllowListSchema } from '../catalog/egress-events.js';
import { agentRunIdSchema, toolCallIdSchema } from '../catalog/agent-run-events.js';
import { reasonSchema } from '../catalog/session-events.js';
import { definitionOrStored, exactlyOneDefinition } from '../catalog/tool-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/** Registers the next version of a tool of the command's tenant: its definition, or the attachment that holds it. */
export const registerToolSchema = z
  .strictObject({ type: z.literal('RegisterTool'), name: toolNameSchema, ...definitionOrStored, metadata: commandMetadataSchema })
  .refine(...exactlyOneDefinition);
export type RegisterTool = Readonly<z.infer<typeof registerToolSchema>>;

/** Makes `allow` the next version of the command tenant's egress allow-list (keyed by its `egress-<tenant>` stream). */
export const setEgressAllowListSchema = z.strictObject({
  type: z.literal('SetEgressAllowList'),
  allow: egressAllowListSchema.shape.allow,
  metadata: commandMetadataSchema,
});
export type SetEgressAllowList = Readonly<z.infer<typeof setEgressAllowListSchema>>;

/**
 * Runs a parked call once more (same Idempotency-Key as before), then answers it, or parks it
 * again. A call that is not parked (answered, or being retried) is left as it is. `operationId`:
 * the replay operation that sent it, recorded on ToolCallRetried.
 */
export const retryParkedToolCallSchema = z.strictObject({
  type: z.literal('RetryParkedToolCall'),
  runId: agentRunIdSchema,
  callId: toolCallIdSchema,
  operationId: z.uuid().optional(),
  metadata: commandMetadataSchema,
});
export type RetryParkedToolCall = Readonly<z.infer<typeof retryParkedToolCallSchema>>;

/** Answers a parked call as failed, "discarded by an operator: <reason>", so the agent is told. A call that is not parked is left as it is. */
export const discardParkedToolCallSchema = z.strictObject({
  type: z.literal('DiscardParkedToolCall'),
  runId: agentRunIdSchema,
  callId: toolCallIdSchema,
  reason: reasonSchema,
  operationId: z.uuid().optional(),
  metadata: commandMetadataSchema,
});
export type DiscardParkedToolCall = Readonly<z.infer<typeof discardParkedToolCallSchema>>;

export const parkedToolCallCommandSchema = z.discriminatedUnion('type', [retryParkedToolCallSchema, discardParkedToolCallSchema]);
export type ParkedToolCallCommand = z.infer<typeof parkedToolCallCommandSchema>;

/**
 * A tool-adapters command on `commands.tool-adapters`, keyed by the stream it writes:
 * `tool-<tenant>`, `egress-<tenant>`, or a parked call's `toolcall-<runId>.<callId>`.
 */
export const toolCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: z.discriminatedUnion('type', [registerToolSchema, setEgressAllowListSchema, retryParkedToolCallSchema, discardParkedToolCallSchema]),
});
export type ToolCommandMessage = z.infer<typeof toolCommandMessageSchema>;
