import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';
import { agentNameSchema } from './session-events.js';

/** Tool names as tools are registered and as models call them. */
export const toolNameSchema = z
  .string()
  .regex(/^(?!.*__)[A-Za-z0-9_-]{1,48}$/, 'tool names are letters, digits, "_" and "-", at most 48, without "__" (which joins a tool and its operation)');

/**
 * Checks an agent's runs must pass, as data: a tripped guardrail fails the run with its name.
 * - blocked_terms: the run's input (`on: input`) or its final output (`on: output`) contains one
 *   of the terms, compared case-insensitively;
 * - max_output_chars: the final output, as text, is longer than `limit`.
 */
export const guardrailSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('blocked_terms'),
    on: z.enum(['input', 'output']),
    terms: z.array(z.string().trim().min(1).max(200)).min(1).max(100),
  }),
  z.strictObject({ type: z.literal('max_output_chars'), limit: z.number().int().min(1).max(1_000_000) }),
]);
export type Guardrail = z.infer<typeof guardrailSchema>;

/**
 * What a tenant says about an agent. The role's part (a Planner's plan shape, a Reviewer's
 * verdict) comes from the task the agent takes, not from here.
 */
export const agentDefinitionSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  instructions: z.string().trim().min(1).max(20_000),
  /** The provider's model name; without one, the runtime's configured model. */
  model: z.string().min(1).max(200).optional(),
  /** Tools the agent may call; a session's `allowedTools` narrows them further. */
  tools: z.array(toolNameSchema).max(100),
  /** Agents it may hand a run over to: built-in or defined by the tenant. */
  handoffs: z.array(agentNameSchema).max(20),
  guardrails: z.array(guardrailSchema).max(20),
});
export type AgentDefinition = z.infer<typeof agentDefinitionSchema>;

/** One version of one agent of a tenant; versions count from 1 per agent name. */
export const AgentDefined = defineEvent('AgentDefined', [
  { schema: z.strictObject({ name: agentNameSchema, version: z.number().int().min(1), definition: agentDefinitionSchema }) },
]);

export const agentEvents = [AgentDefined] as const;
export type AgentEvent = EventOf<(typeof agentEvents)[number]>;
