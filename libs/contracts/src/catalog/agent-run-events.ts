import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';
import { agentNameSchema, reasonSchema, sessionIdSchema as sessionId, stepIdSchema, usageSchema } from './session-events.js';

/** `<sessionId>.plan.<attempt>`, `<sessionId>.step.<stepId>.<attempt>` or `<sessionId>.review.<round>`. */
const runId = z.string().regex(/^[A-Za-z0-9_.:-]{1,300}$/);
const callId = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/);
const toolName = z.string().min(1).max(200);

/** What a run was asked to do: answer one request for work of the orchestrator. */
export const agentTaskSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('plan'), attempt: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal('step'), stepId: stepIdSchema, attempt: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal('review'), round: z.number().int().min(1) }),
]);
export type AgentTask = z.infer<typeof agentTaskSchema>;

export const AgentRunStarted = defineEvent('AgentRunStarted', [
  {
    schema: z.strictObject({
      sessionId,
      task: agentTaskSchema,
      agent: agentNameSchema,
      /** The agent definition version the session pinned, when it pinned one. */
      agentVersion: z.number().int().min(1).optional(),
      model: z.string().min(1).max(200),
    }),
  },
]);

/**
 * One model response, as the provider gave it, with its usage priced. A run that is picked up
 * again (another process, a replay) is served these responses in order instead of asking the model.
 */
export const ModelResponded = defineEvent('ModelResponded', [
  {
    schema: z.strictObject({
      sessionId,
      turn: z.number().int().min(0),
      model: z.string().min(1).max(200),
      responseId: z.string().max(500).optional(),
      output: z.array(z.json()).max(200),
      usage: usageSchema,
    }),
  },
]);

export const pendingToolCallSchema = z.strictObject({ callId, tool: toolName, arguments: z.string().max(100_000) });

/** The run waits for tool results: its serialised RunState, resumed when every pending call has an answer. */
export const AgentRunPaused = defineEvent('AgentRunPaused', [
  {
    schema: z.strictObject({
      sessionId,
      runState: z.string().min(1).max(400_000),
      pendingCalls: z.array(pendingToolCallSchema).min(1).max(20),
    }),
  },
]);

/** A model asked for a tool. Policy, approvals and the tool adapters act on it; the run waits. */
export const ToolCallRequested = defineEvent('ToolCallRequested', [
  { schema: z.strictObject({ sessionId, runId, agent: agentNameSchema, ...pendingToolCallSchema.shape }) },
]);

export const AgentRunCompleted = defineEvent('AgentRunCompleted', [
  { schema: z.strictObject({ sessionId, task: agentTaskSchema, output: z.unknown(), usage: usageSchema }) },
]);

export const AgentRunFailed = defineEvent('AgentRunFailed', [
  { schema: z.strictObject({ sessionId, task: agentTaskSchema, reason: reasonSchema, retryable: z.boolean(), usage: usageSchema }) },
]);

export const agentRunEvents = [AgentRunStarted, ModelResponded, AgentRunPaused, ToolCallRequested, AgentRunCompleted, AgentRunFailed] as const;
export type AgentRunEvent = EventOf<(typeof agentRunEvents)[number]>;

/** The answer to one tool call, on the call's own `toolcall-<runId>.<callId>` stream. */
export const ToolCallCompleted = defineEvent('ToolCallCompleted', [
  { schema: z.strictObject({ sessionId, runId, callId, tool: toolName, output: z.string().max(400_000) }) },
]);

export const ToolCallFailed = defineEvent('ToolCallFailed', [
  { schema: z.strictObject({ sessionId, runId, callId, tool: toolName, reason: reasonSchema }) },
]);

export const toolCallEvents = [ToolCallCompleted, ToolCallFailed] as const;
export type ToolCallEvent = EventOf<(typeof toolCallEvents)[number]>;

export { callId as toolCallIdSchema, runId as agentRunIdSchema };
