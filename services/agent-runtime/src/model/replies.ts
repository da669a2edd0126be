import type { ModelRequest, SerializedTool } from '@openai/agents';
import { AgentRuntimeError } from '../errors.js';
import { excerpt, resultText, type Conversation } from './conversation.js';
import { scriptedFindings } from './analyst-reply.js';
import { sampleFromJsonSchema } from './json-schema-sample.js';
import type { ModelTurn, ScriptedToolCall } from './script.js';

/** What the scripted model answers with, before it becomes SDK output items. */
export type ScriptedReply =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'toolCalls'; readonly calls: readonly { readonly name: string; readonly arguments: unknown }[] }
  | { readonly kind: 'failure'; readonly message: string; readonly retryable: boolean };

type FunctionToolSpec = Extract<SerializedTool, { type: 'function' }>;

function functionTools(request: ModelRequest): FunctionToolSpec[] {
  return request.tools.filter((tool): tool is FunctionToolSpec => tool.type === 'function');
}

function toolCallFor(call: ScriptedToolCall, request: ModelRequest, agent: string): { name: string; arguments: unknown } {
  const tools = functionTools(request);
  const tool = call.tool === undefined ? tools[0] : tools.find((candidate) => candidate.name === call.tool);
  if (tool === undefined && call.tool === undefined) {
    throw new AgentRuntimeError('InvalidModelScript', `The script asks ${agent} for its first allowed tool, but it is allowed none.`);
  }
  // A tool the agent is not given is still called: the SDK reports it, as it would for a real model.
  const name = call.tool ?? tool?.name ?? '';
  return { name, arguments: call.arguments ?? sampleFromJsonSchema(tool?.parameters ?? {}) };
}

export function replyFromTurn(turn: ModelTurn, request: ModelRequest, agent: string): ScriptedReply {
  if ('text' in turn) {
    return { kind: 'message', text: turn.text };
  }
  if ('output' in turn) {
    return { kind: 'message', text: JSON.stringify(turn.output) };
  }
  if ('toolCalls' in turn) {
    return { kind: 'toolCalls', calls: turn.toolCalls.map((call) => toolCallFor(call, request, agent)) };
  }
  return { kind: 'failure', message: turn.fail, retryable: turn.retryable ?? false };
}

type Role = 'planner' | 'reviewer' | 'analyst' | 'worker';

function outputProperties(request: ModelRequest): Readonly<Record<string, unknown>> {
  const { outputType } = request;
  if (outputType === 'text') {
    return {};
  }
  const properties: unknown = outputType.schema.properties;
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {};
}

/** The agent's name says its role; an unnamed agent is known by the shape of the output it must give. */
function roleOf(agent: string | undefined, request: ModelRequest): Role {
  if (agent !== undefined && /planner/i.test(agent)) {
    return 'planner';
  }
  if (agent !== undefined && /reviewer/i.test(agent)) {
    return 'reviewer';
  }
  if (agent !== undefined && /analyst/i.test(agent)) {
    return 'analyst';
  }
  const properties = outputProperties(request);
  if ('steps' in properties) {
    return 'planner';
  }
  return 'verdict' in properties ? 'reviewer' : 'worker';
}

function defaultPlan(goal: string): unknown {
  const subject = excerpt(goal, 120) || 'the goal';
  return {
    steps: [
      { stepId: 's1', title: `Work on: ${subject}`, agent: 'Executor', dependsOn: [] },
      { stepId: 's2', title: 'Check the result and summarise it', agent: 'Executor', dependsOn: ['s1'] },
    ],
  };
}

/**
 * What the model does past its script, or with none: an agent given tools calls the first one
 * once; then a Planner proposes a two-step plan, a Reviewer passes, an Analyst finds what its
 * trace's facts show, and any other agent answers
 * with a line about its input (or fills its output schema with the simplest valid value).
 */
export function defaultReply(request: ModelRequest, agent: string | undefined, conversation: Conversation): ScriptedReply {
  const label = agent ?? 'Agent';
  const firstTool = functionTools(request)[0];
  const ownCalls = conversation.ownToolCalls();
  if (firstTool !== undefined && ownCalls.length === 0) {
    return { kind: 'toolCalls', calls: [{ name: firstTool.name, arguments: sampleFromJsonSchema(firstTool.parameters) }] };
  }
  const role = roleOf(agent, request);
  switch (role) {
    case 'planner':
      return { kind: 'message', text: JSON.stringify(defaultPlan(conversation.lastUserText())) };
    case 'reviewer':
      return { kind: 'message', text: JSON.stringify({ verdict: 'pass', reasons: [] }) };
    case 'analyst': {
      // Findings from the trace's facts; an input without them gets the schema's simplest answer.
      const findings = scriptedFindings(conversation.lastUserText());
      return findings === undefined ? workerReply(request, label, conversation) : { kind: 'message', text: JSON.stringify(findings) };
    }
    case 'worker':
      return workerReply(request, label, conversation);
    default: {
      const unreachable: never = role;
      return unreachable;
    }
  }
}

function workerReply(request: ModelRequest, label: string, conversation: Conversation): ScriptedReply {
  if (request.outputType !== 'text') {
    return { kind: 'message', text: JSON.stringify(sampleFromJsonSchema(request.outputType.schema)) };
  }
  const lastCall = conversation.ownToolCalls().at(-1);
  if (lastCall !== undefined) {
    const result = conversation.resultOf(lastCall);
    const outcome = result === undefined ? 'no result' : excerpt(resultText(result), 200);
    return { kind: 'message', text: `${label} called ${lastCall.name}: ${outcome}` };
  }
  return { kind: 'message', text: `${label} handled: ${excerpt(conversation.lastUserText(), 200) || '(no input)'}` };
}
