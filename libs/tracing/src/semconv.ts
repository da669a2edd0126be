/**
 * The OpenTelemetry GenAI semantic conventions this platform follows, pinned in this one place:
 * they are still in development and rename attributes between releases (1.37 replaced
 * `gen_ai.system` with `gen_ai.provider.name`). Every GenAI attribute name below is read from
 * here; moving to a newer release means checking these names against it and changing the version.
 */
export const GENAI_SEMCONV_VERSION = '1.37.0';
export const GENAI_SCHEMA_URL = `https://opentelemetry.io/schemas/${GENAI_SEMCONV_VERSION}`;

export const genAi = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  conversationId: 'gen_ai.conversation.id',
  agentName: 'gen_ai.agent.name',
  agentId: 'gen_ai.agent.id',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Proposed, not yet in a release: the price of the operation's usage as charged when it ran. */
  costAmount: 'gen_ai.usage.cost.amount',
  costCurrency: 'gen_ai.usage.cost.currency',
} as const;

/** The operation names the conventions define for agent, model and tool spans. */
export const genAiOperations = { chat: 'chat', invokeAgent: 'invoke_agent', executeTool: 'execute_tool' } as const;

/** This platform's own attributes, for what the GenAI conventions do not cover. */
export const platformAttributes = {
  sessionId: 'agent_orchestrator.session.id',
  eventIds: 'agent_orchestrator.event.ids',
  stepId: 'agent_orchestrator.step.id',
  attempt: 'agent_orchestrator.attempt',
  round: 'agent_orchestrator.review.round',
  toolOperation: 'agent_orchestrator.tool.operation',
  toolOutcome: 'agent_orchestrator.tool.outcome',
  policyEffect: 'agent_orchestrator.policy.effect',
  policyRule: 'agent_orchestrator.policy.rule_id',
  policyVersion: 'agent_orchestrator.policy.version',
  approvalStatus: 'agent_orchestrator.approval.status',
  /** How long the call waited for people, in milliseconds. */
  approvalWaitMs: 'agent_orchestrator.approval.wait_ms',
  status: 'agent_orchestrator.status',
} as const;
