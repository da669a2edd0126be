import { z } from 'zod';
import { agentDefinitionSchema } from '../catalog/agent-events.js';
import { budgetIdSchema, budgetTermsSchema } from '../catalog/budget-events.js';
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

/** Sets a budget of the command's tenant (a new one, or new terms for one it has), on its `budget-<tenant>` stream. */
export const setBudgetSchema = z.strictObject({
  type: z.literal('SetBudget'),
  budgetId: budgetIdSchema,
  terms: budgetTermsSchema,
  metadata: commandMetadataSchema,
});
export type SetBudget = Readonly<z.infer<typeof setBudgetSchema>>;

export const agentCommandSchema = z.discriminatedUnion('type', [defineAgentSchema, setBudgetSchema]);
export type AgentCommand = DefineAgent | SetBudget;

/** An agent-runtime command on `commands.agent-runtime`, keyed by the stream it changes (`agent-<tenant>`, `budget-<tenant>`). */
export const agentCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: agentCommandSchema,
});
export type AgentCommandMessage = z.infer<typeof agentCommandMessageSchema>;
