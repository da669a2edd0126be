/**
 * Stream names are contracts: every service builds and parses them here and nowhere else.
 * A stream name is `<category>-<id>`; the category says which service owns the stream.
 */
export const streamCategories = {
  session: 'session',
  agent: 'agent',
  agentRun: 'agentrun',
  tool: 'tool',
  toolCall: 'toolcall',
  policy: 'policy',
  privacy: 'privacy',
  policyCheck: 'policycheck',
  approval: 'approval',
  memory: 'memory',
  egress: 'egress',
  admin: 'admin',
  audit: 'audit',
  operation: 'operation',
  analysis: 'analysis',
  prices: 'prices',
  alert: 'alert',
  budget: 'budget',
  budgetLedger: 'budgetledger',
} as const;
export type StreamCategory = (typeof streamCategories)[keyof typeof streamCategories];

export function streamName(category: StreamCategory, id: string): string {
  if (id.length === 0) throw new Error(`stream id for category "${category}" is empty`);
  return `${category}-${id}`;
}

export const sessionStream = (sessionId: string): string => streamName(streamCategories.session, sessionId);

export function parseStreamName(streamId: string): { category: string; id: string } {
  const dash = streamId.indexOf('-');
  if (dash <= 0 || dash === streamId.length - 1) {
    throw new Error(`"${streamId}" is not a stream name of the form <category>-<id>`);
  }
  return { category: streamId.slice(0, dash), id: streamId.slice(dash + 1) };
}

/** One stream per tenant holds every version of every agent it defined. */
export const agentRegistryStream = (tenantId: string): string => streamName(streamCategories.agent, tenantId);

/** One stream per tenant holds every version of every tool it registered. */
export const toolRegistryStream = (tenantId: string): string => streamName(streamCategories.tool, tenantId);

/** One stream per tenant holds every version of its tool policy. */
export const policyStream = (tenantId: string): string => streamName(streamCategories.policy, tenantId);

/** One stream per tenant holds every version of its egress allow-list. */
export const egressStream = (tenantId: string): string => streamName(streamCategories.egress, tenantId);
/** One stream per tenant holds its administrative actions (tenant, keys, roles, secrets): the admin part of its audit trail. */
export const adminStream = (tenantId: string): string => streamName(streamCategories.admin, tenantId);
/** One stream per tenant holds its audit trail's own records: signing keys, signed checkpoints, exports, retention. */
export const auditStream = (tenantId: string): string => streamName(streamCategories.audit, tenantId);
/** One stream per SRE operation (a redrive, a discard, a projection rebuild, a session replay): its plan, every item's outcome, its end. */
export const operationStream = (operationId: string): string => streamName(streamCategories.operation, operationId);
/** One stream per session holds every analysis of it ("Analyze with an LLM"): each start, its findings or its failure. */
export const analysisStream = (sessionId: string): string => streamName(streamCategories.analysis, sessionId);
/**
 * One stream holds every version of the platform's model prices. Only the platform admin sets them:
 * they are what the platform pays its providers, and a tenant able to price its own calls could
 * rewrite its cost history (a rebuild reprices every call) and the budgets and alerts built on it.
 * Its events carry the envelope tenant `platform`, as platform-scope operations do.
 */
export const pricesStream = streamName(streamCategories.prices, 'platform');
/** One stream per alert key (a rule and its subject, in one tenant or the platform): its raises and resolutions in turn. */
export const alertStream = (alertStreamId: string): string => streamName(streamCategories.alert, alertStreamId);
/** One stream per tenant holds its budgets: every BudgetSet. */
export const budgetStream = (tenantId: string): string => streamName(streamCategories.budget, tenantId);
/** One stream per budget and period (`2026-11-29`, `2026-11` or `session`): its reservations, settlements and thresholds crossed. */
export const budgetLedgerStream = (tenantId: string, budgetId: string, periodKey: string): string => streamName(streamCategories.budgetLedger, `${tenantId}.${budgetId}.${periodKey}`);
/** One stream per tenant holds every version of its privacy setting (which personal data is redacted). */
export const privacyStream = (tenantId: string): string => streamName(streamCategories.privacy, tenantId);

/** One stream per tool call holds the policy's decision on it, so a redelivered request is decided once. */
export const policyCheckStream = (runId: string, callId: string): string => streamName(streamCategories.policyCheck, `${runId}.${callId}`);

export const approvalStream = (approvalId: string): string => streamName(streamCategories.approval, approvalId);

/** The step a run works on, read from its id (see agentRunId); undefined for plan and review runs. */
export function stepOfRun(runId: string): { stepId: string; attempt: number } | undefined {
  const match = /^(.+)\.step\.([A-Za-z0-9_.-]+)\.(\d+)$/.exec(runId);
  return match ? { stepId: match[2]!, attempt: Number(match[3]) } : undefined;
}

export const agentRunStream = (runId: string): string => streamName(streamCategories.agentRun, runId);

/** One stream per tool call, so its answer is appended once whoever executes it. */
export const toolCallStream = (runId: string, callId: string): string => streamName(streamCategories.toolCall, `${runId}.${callId}`);

/**
 * The run that answers one request for work. Derived from the request, so a redelivered request
 * finds the run it already started instead of starting another.
 */
export function agentRunId(sessionId: string, task: { kind: 'plan'; attempt: number } | { kind: 'step'; stepId: string; attempt: number } | { kind: 'review'; round: number }): string {
  switch (task.kind) {
    case 'plan':
      return `${sessionId}.plan.${task.attempt}`;
    case 'step':
      return `${sessionId}.step.${task.stepId}.${task.attempt}`;
    case 'review':
      return `${sessionId}.review.${task.round}`;
  }
}

/**
 * The agent runs a session asked for (plan attempts, step attempts, review rounds), found from its
 * own events: run ids derive from the requests (see agentRunId), so no index is needed.
 */
export function agentRunIdsOf(sessionId: string, sessionEvents: readonly { readonly type: string; readonly data: unknown }[]): string[] {
  const runs = new Set<string>();
  for (const { type, data } of sessionEvents) {
    const fields = data as { attempt?: number; stepId?: string; round?: number };
    if (type === 'PlanRequested' && fields.attempt !== undefined) runs.add(agentRunId(sessionId, { kind: 'plan', attempt: fields.attempt }));
    if (type === 'StepScheduled' && fields.stepId !== undefined && fields.attempt !== undefined) runs.add(agentRunId(sessionId, { kind: 'step', stepId: fields.stepId, attempt: fields.attempt }));
    if (type === 'ReviewRequested' && fields.round !== undefined) runs.add(agentRunId(sessionId, { kind: 'review', round: fields.round }));
  }
  return [...runs];
}

/** The tool calls a run made, found from its ToolCallRequested events (see toolCallStream). */
export function toolCallIdsOf(runEvents: readonly { readonly type: string; readonly data: unknown }[]): string[] {
  return [...new Set(runEvents.filter((event) => event.type === 'ToolCallRequested').map((event) => (event.data as { callId: string }).callId))];
}
