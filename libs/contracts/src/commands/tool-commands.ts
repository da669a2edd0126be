import { z } from 'zod';
import { toolNameSchema } from '../catalog/agent-events.js';
import { egressAllowListSchema } from '../catalog/egress-events.js';
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

/** A tool-adapters command on `commands.tool-adapters`, keyed by the stream it writes: `tool-<tenant>` or `egress-<tenant>`. */
export const toolCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: z.discriminatedUnion('type', [registerToolSchema, setEgressAllowListSchema]),
});
export type ToolCommandMessage = z.infer<typeof toolCommandMessageSchema>;
