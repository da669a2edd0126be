import { z } from 'zod';
import { toolNameSchema } from '../catalog/agent-events.js';
import { toolDefinitionSchema } from '../catalog/tool-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/** Registers the next version of a tool of the command's tenant. */
export const registerToolSchema = z.strictObject({
  type: z.literal('RegisterTool'),
  name: toolNameSchema,
  definition: toolDefinitionSchema,
  metadata: commandMetadataSchema,
});
export type RegisterTool = Readonly<z.infer<typeof registerToolSchema>>;

/** A tool-adapters command on `commands.tool-adapters`, keyed by the tenant's `tool-<tenant>` stream. */
export const toolCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: z.discriminatedUnion('type', [registerToolSchema]),
});
export type ToolCommandMessage = z.infer<typeof toolCommandMessageSchema>;
