import { z } from 'zod';
import { agentDefinitionSchema } from '../catalog/agent-events.js';
import { agentNameSchema } from '../catalog/session-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/**
 * Defines the next version of an agent of the command's tenant. `expectedVersion` is the version
 * the sender saw (0: none yet), so two edits made from the same version cannot both land.
 */
export const defineAgentSchema = z.strictObject({
  type: z.literal('DefineAgent'),
  name: agentNameSchema,
  definition: agentDefinitionSchema,
  expectedVersion: z.number().int().min(0),
  metadata: commandMetadataSchema,
});
export type DefineAgent = Readonly<z.infer<typeof defineAgentSchema>>;

export const agentCommandSchema = z.discriminatedUnion('type', [defineAgentSchema]);
export type AgentCommand = DefineAgent;

/** An agent-runtime command on `commands.agent-runtime`, keyed by the tenant's `agent-<tenant>` stream. */
export const agentCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: agentCommandSchema,
});
export type AgentCommandMessage = z.infer<typeof agentCommandMessageSchema>;
