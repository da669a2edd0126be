import { z } from 'zod';
import { AgentRuntimeError } from '../errors.js';

/** The model name the price table and the recorded events know the scripted model by. */
export const SCRIPTED_MODEL_NAME = 'scripted';

/** Same shape as agent names in the contracts: the script keys turns by the agent that takes them. */
const agentName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/);

/**
 * Which run of an agent a turn belongs to, when one agent runs several times in a session. The
 * runtime binds each run's model to a label: `attempt-<n>` for a Planner, the step id for an
 * Executor, `round-<n>` for a Reviewer.
 */
const runLabel = z.string().regex(/^[A-Za-z0-9_.#-]{1,64}$/);

export const scriptedUsageSchema = z.strictObject({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
});

const turnHeader = {
  agent: agentName,
  run: runLabel.optional(),
  /** How long the model takes to answer this turn, to exercise timeouts, crashes and slow providers. */
  delayMs: z.number().int().min(0).max(600_000).optional(),
};

const textTurn = z.strictObject({ ...turnHeader, text: z.string().max(100_000), usage: scriptedUsageSchema.optional() });

/** Any JSON the agent's output type should parse: a plan, a review verdict, a step's result. */
const structuredTurn = z.strictObject({ ...turnHeader, output: z.json(), usage: scriptedUsageSchema.optional() });

export const scriptedToolCallSchema = z.strictObject({
  /** Omitted: the first tool the agent is allowed, so a fixture works with whatever tools are registered. */
  tool: z.string().min(1).max(200).optional(),
  /** Omitted: arguments built from the tool's parameter schema. */
  arguments: z.record(z.string(), z.json()).optional(),
});

const toolCallsTurn = z.strictObject({
  ...turnHeader,
  toolCalls: z.array(scriptedToolCallSchema).min(1).max(20),
  usage: scriptedUsageSchema.optional(),
});

/** A provider failure. A failed request returns no response, so it carries no usage. */
const failTurn = z.strictObject({
  ...turnHeader,
  fail: z.string().min(1).max(4000),
  /** True simulates an outage or rate limit (worth retrying); false a request refused for good. */
  retryable: z.boolean().optional(),
});

export const modelTurnSchema = z.union([textTurn, structuredTurn, toolCallsTurn, failTurn]);

/**
 * An ordered list of model turns. An agent's turns are the entries naming it, in order; within one
 * run the model takes that agent's turn n when the conversation already holds n of its responses.
 * Past the last scripted turn the model falls back to its defaults.
 */
export const modelScriptSchema = z.strictObject({
  turns: z.array(modelTurnSchema).max(1000),
});

export type ModelTurn = z.infer<typeof modelTurnSchema>;
export type ModelScript = z.infer<typeof modelScriptSchema>;
export type ScriptedToolCall = z.infer<typeof scriptedToolCallSchema>;
export type ScriptedUsage = z.infer<typeof scriptedUsageSchema>;

export function parseModelScript(candidate: unknown): ModelScript {
  const parsed = modelScriptSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new AgentRuntimeError('InvalidModelScript', `Invalid model script:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * The turns of one agent's run: those labelled with the run when the script has any, else the
 * agent's unlabelled turns, so a script need only label the runs that differ.
 */
export function turnsFor(script: ModelScript | undefined, agent: string | undefined, run: string | undefined): readonly ModelTurn[] {
  if (script === undefined || agent === undefined) {
    return [];
  }
  const own = script.turns.filter((turn) => turn.agent === agent);
  const labelled = run === undefined ? [] : own.filter((turn) => turn.run === run);
  return labelled.length > 0 ? labelled : own.filter((turn) => turn.run === undefined);
}
