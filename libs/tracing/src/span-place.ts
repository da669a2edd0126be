/** What the tree needs of a logged event: the envelope fields every event of the log has. */
export interface LoggedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly traceparent: string | null;
  readonly data: unknown;
}

export type SpanOperation = 'session' | 'plan' | 'step' | 'review' | 'invoke_agent' | 'chat' | 'execute_tool' | 'policy' | 'approval';

/**
 * Where an event belongs in its session's trace: the span (a key unique within the session) whose
 * work it records, and that span's parent. Derived from the event alone (its stream and data), so
 * the event store stamps the same span id the exporter uses, and the console rebuilds the same
 * tree from the log with no exporter at all.
 */
export interface SpanPlace {
  readonly sessionId: string;
  readonly key: string;
  readonly parentKey: string | null;
  readonly operation: SpanOperation;
}

const field = (data: unknown, name: string): unknown => (typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined);
const text = (data: unknown, name: string): string | undefined => {
  const value = field(data, name);
  return typeof value === 'string' ? value : undefined;
};
const count = (data: unknown, name: string): number | undefined => {
  const value = field(data, name);
  return typeof value === 'number' ? value : undefined;
};

/** A run id is `<sessionId>.plan.<n>`, `<sessionId>.step.<stepId>.<n>` or `<sessionId>.review.<n>`: its task's span. */
export function taskKeyOfRun(runId: string): string {
  const plan = /\.plan\.\d+$/.exec(runId);
  if (plan) return 'plan';
  const step = /\.step\.(.+)\.(\d+)$/.exec(runId);
  if (step) return `step/${step[1]}/${step[2]}`;
  const review = /\.review\.(\d+)$/.exec(runId);
  if (review) return `review/${review[1]}`;
  return 'session';
}

function sessionSpan(sessionId: string, event: LoggedEvent): SpanPlace {
  const session = (key: string, operation: SpanOperation): SpanPlace => ({ sessionId, key, parentKey: key === 'session' ? null : 'session', operation });
  switch (event.type) {
    case 'PlanRequested':
    case 'PlanProposed':
    case 'PlanRetryHeld':
      return session('plan', 'plan');
    case 'StepScheduled':
    case 'StepCompleted':
    case 'StepFailed':
      return session(`step/${text(event.data, 'stepId')}/${count(event.data, 'attempt')}`, 'step');
    case 'ReviewRequested':
    case 'ReviewCompleted':
      return session(`review/${count(event.data, 'round')}`, 'review');
    default:
      return session('session', 'session');
  }
}

/** The event's place in its session's trace; undefined for events of no session (registries, policies, tenants). */
export function spanPlaceOf(event: LoggedEvent): SpanPlace | undefined {
  const dash = event.streamId.indexOf('-');
  const category = event.streamId.slice(0, dash);
  const id = event.streamId.slice(dash + 1);
  const sessionId = category === 'session' ? id : text(event.data, 'sessionId');
  if (!sessionId || dash <= 0) return undefined;
  const runId = text(event.data, 'runId');
  const toolKey = runId === undefined ? undefined : `tool/${runId}.${text(event.data, 'callId')}`;
  switch (category) {
    case 'session':
      return sessionSpan(sessionId, event);
    case 'agentrun':
      if (event.type === 'ModelResponded') return { sessionId, key: `chat/${event.eventId}`, parentKey: `run/${id}`, operation: 'chat' };
      if (event.type === 'ToolCallRequested' && toolKey) return { sessionId, key: toolKey, parentKey: `run/${id}`, operation: 'execute_tool' };
      return { sessionId, key: `run/${id}`, parentKey: taskKeyOfRun(id), operation: 'invoke_agent' };
    case 'toolcall':
      return { sessionId, key: `tool/${id}`, parentKey: runId === undefined ? 'session' : `run/${runId}`, operation: 'execute_tool' };
    case 'policycheck':
      return { sessionId, key: `policy/${id}`, parentKey: `tool/${id}`, operation: 'policy' };
    case 'approval':
      return { sessionId, key: `approval/${id}`, parentKey: toolKey ?? 'session', operation: 'approval' };
    default:
      return undefined;
  }
}
