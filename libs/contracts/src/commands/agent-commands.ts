import { z } from 'zod';
import { agentDefinitionSchema } from '../catalog/agent-events.js';
import { analysisIdSchema } from '../catalog/analysis-events.js';
import { budgetIdSchema, budgetTermsSchema } from '../catalog/budget-events.js';
import { agentNameSchema, sessionIdSchema } from '../catalog/session-events.js';
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

/**
 * Runs the Analyst over a session's redacted trace, recording its findings on the session's
 * `analysis-<sessionId>` stream under `analysisId` (chosen by the sender, so a redelivered command
 * is the same analysis). The sender has checked the session is the tenant's.
 */
export const analyzeSessionSchema = z.strictObject({
  type: z.literal('AnalyzeSession'),
  sessionId: sessionIdSchema,
  analysisId: analysisIdSchema,
  metadata: commandMetadataSchema,
});
export type AnalyzeSession = Readonly<z.infer<typeof analyzeSessionSchema>>;

/** Sets a budget of the command's tenant (a new one, or new terms for one it has), on its `budget-<tenant>` stream. */
export const setBudgetSchema = z.strictObject({
  type: z.literal('SetBudget'),
  budgetId: budgetIdSchema,
  terms: budgetTermsSchema,
  metadata: commandMetadataSchema,
});
export type SetBudget = Readonly<z.infer<typeof setBudgetSchema>>;

export const agentCommandSchema = z.discriminatedUnion('type', [defineAgentSchema, analyzeSessionSchema, setBudgetSchema]);
export type AgentCommand = DefineAgent | AnalyzeSession | SetBudget;

/** An agent-runtime command on `commands.agent-runtime`, keyed by its target stream (`agent-<tenant>`, `analysis-<sessionId>`, `budget-<tenant>`). */
export const agentCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: agentCommandSchema,
});
export type AgentCommandMessage = z.infer<typeof agentCommandMessageSchema>;
