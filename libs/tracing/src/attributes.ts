import { genAi, genAiOperations, platformAttributes as platform } from './semconv.js';
import type { LoggedEvent, SpanOperation } from './span-place.js';

export type SpanAttributes = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** The model name the deterministic scripted model answers as; any other model is served through the OpenAI client. */
const scriptedModel = 'scripted';

const record = (data: unknown): Record<string, unknown> => (typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {});
const firstOf = (events: readonly LoggedEvent[], type: string): Record<string, unknown> | undefined => {
  const found = events.find((event) => event.type === type);
  return found ? record(found.data) : undefined;
};
const lastData = (events: readonly LoggedEvent[]): Record<string, unknown> => record(events.at(-1)?.data);

/** The provider as the conventions name it: the OpenAI client serves every model but the scripted one. */
export function providerOf(model: string): string {
  return model === scriptedModel ? 'agent_orchestrator.scripted' : 'openai';
}

/** A call's tool and operation: `crm__updateCustomer` is the operation updateCustomer of the tool crm; a built-in tool is its own operation. */
export function toolAndOperation(called: string): { tool: string; operation: string } {
  const separator = called.indexOf('__');
  return separator <= 0 ? { tool: called, operation: called } : { tool: called.slice(0, separator), operation: called.slice(separator + 2) };
}

interface Usage {
  readonly inputTokens?: unknown;
  readonly outputTokens?: unknown;
  readonly costUsd?: unknown;
}

/** Tokens and cost as the conventions (and the proposed cost attributes) name them. */
export function usageAttributes(usage: Usage | undefined): SpanAttributes {
  if (!usage) return {};
  const attributes: Record<string, number | string> = {};
  if (typeof usage.inputTokens === 'number') attributes[genAi.inputTokens] = usage.inputTokens;
  if (typeof usage.outputTokens === 'number') attributes[genAi.outputTokens] = usage.outputTokens;
  if (typeof usage.costUsd === 'number') {
    attributes[genAi.costAmount] = usage.costUsd;
    attributes[genAi.costCurrency] = 'USD';
  }
  return attributes;
}

/** The span's name as the conventions spell it (`chat <model>`, `invoke_agent <agent>`, `execute_tool <tool>`), or the platform's. */
export function spanName(operation: SpanOperation, key: string, events: readonly LoggedEvent[]): string {
  const data = record(events[0]?.data);
  switch (operation) {
    case 'chat':
      return `${genAiOperations.chat} ${String(data.model ?? '')}`.trim();
    case 'invoke_agent':
      return `${genAiOperations.invokeAgent} ${String(firstOf(events, 'AgentRunStarted')?.agent ?? '')}`.trim();
    case 'execute_tool':
      return `${genAiOperations.executeTool} ${String(data.tool ?? '')}`.trim();
    case 'policy':
      return 'policy decision';
    case 'approval':
      return 'approval';
    case 'session':
    case 'plan':
      return operation;
    case 'step':
      return `step ${String(data.stepId ?? '')}`.trim();
    case 'review':
      return `review ${String(data.round ?? '')}`.trim();
  }
  const unknown: never = operation;
  return `${unknown} ${key}`;
}

/**
 * The span's attributes, from its events: ids, names, counts, prices and outcomes only. Prompt,
 * goal, arguments and answer text are never copied: the span names its events instead.
 */
export function spanAttributes(operation: SpanOperation, sessionId: string, events: readonly LoggedEvent[], start: string, end: string): SpanAttributes {
  const common = { [platform.sessionId]: sessionId, [platform.eventIds]: events.map((event) => event.eventId) };
  const data = record(events[0]?.data);
  switch (operation) {
    case 'chat': {
      const model = String(data.model ?? '');
      return { ...common, [genAi.operationName]: genAiOperations.chat, [genAi.requestModel]: model, [genAi.providerName]: providerOf(model), [genAi.conversationId]: sessionId, ...usageAttributes(data.usage as Usage) };
    }
    case 'invoke_agent': {
      const started = firstOf(events, 'AgentRunStarted') ?? {};
      const ended = events.find((event) => event.type === 'AgentRunCompleted' || event.type === 'AgentRunFailed');
      const model = String(started.model ?? '');
      return {
        ...common,
        [genAi.operationName]: genAiOperations.invokeAgent,
        [genAi.agentName]: String(started.agent ?? ''),
        [genAi.agentId]: events[0]!.streamId.slice('agentrun-'.length),
        [genAi.requestModel]: model,
        [genAi.providerName]: providerOf(model),
        [genAi.conversationId]: sessionId,
        ...(ended ? { [platform.status]: ended.type === 'AgentRunCompleted' ? 'completed' : 'failed', ...usageAttributes(record(ended.data).usage as Usage) } : {}),
      };
    }
    case 'execute_tool': {
      const { tool, operation: toolOperation } = toolAndOperation(String(data.tool ?? ''));
      const outcome = events.find((event) => event.type === 'ToolCallCompleted' || event.type === 'ToolCallFailed');
      return {
        ...common,
        [genAi.operationName]: genAiOperations.executeTool,
        [genAi.toolName]: String(data.tool ?? ''),
        [genAi.toolCallId]: String(data.callId ?? ''),
        [genAi.toolType]: 'function',
        [platform.toolOperation]: toolOperation,
        'agent_orchestrator.tool': tool,
        ...(outcome ? { [platform.toolOutcome]: outcome.type === 'ToolCallCompleted' ? 'completed' : 'failed' } : {}),
      };
    }
    case 'policy':
      return { ...common, [platform.policyEffect]: String(data.effect ?? ''), [platform.policyRule]: String(data.ruleId ?? ''), [platform.policyVersion]: Number(data.policyVersion ?? 0), [genAi.toolName]: String(data.tool ?? '') };
    case 'approval': {
      const answer = events.find((event) => event.type === 'ApprovalGranted' || event.type === 'ApprovalRejected' || event.type === 'ApprovalExpired');
      const status = answer ? answer.type.slice('Approval'.length).toLowerCase() : 'pending';
      return { ...common, [platform.approvalStatus]: status, [platform.approvalWaitMs]: Date.parse(end) - Date.parse(start), [genAi.toolName]: String(data.tool ?? ''), [platform.policyRule]: String(data.ruleId ?? '') };
    }
    case 'step':
      return { ...common, [platform.stepId]: String(data.stepId ?? ''), [platform.attempt]: Number(data.attempt ?? 0), [genAi.agentName]: String(data.agent ?? ''), ...usageAttributes(firstOf(events, 'StepCompleted')?.usage as Usage) };
    case 'review':
      return { ...common, [platform.round]: Number(data.round ?? 0) };
    case 'plan':
      return { ...common, [platform.attempt]: Number(firstOf(events, 'PlanRequested')?.attempt ?? 0) };
    case 'session': {
      const last = events.at(-1)!;
      const status = ['SessionCompleted', 'SessionFailed', 'SessionCancelled'].includes(last.type) ? last.type.slice('Session'.length).toLowerCase() : 'running';
      return { ...common, [genAi.conversationId]: sessionId, [platform.status]: status, ...usageAttributes(lastData(events).usage as Usage) };
    }
  }
}
