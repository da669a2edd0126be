import { spanAttributes, spanName, type SpanAttributes } from './attributes.js';
import { spanPlaceOf, type LoggedEvent, type SpanOperation } from './span-place.js';

/** One span of a session's trace, rebuilt from the log. Times are ISO instants, as the events carry them. */
export interface TraceSpan {
  readonly key: string;
  readonly parentKey: string | null;
  readonly sessionId: string;
  readonly operation: SpanOperation;
  readonly name: string;
  readonly start: string;
  readonly end: string;
  /** No event closed it yet: `end` is the latest event of the session. */
  readonly open: boolean;
  /** The W3C traceparent its events carry (the first one's), when they carry one. */
  readonly traceparent: string | null;
  /** The events it was rebuilt from, oldest first: where its prompt or answer text is, never in the span. */
  readonly eventIds: readonly string[];
  readonly attributes: SpanAttributes;
}

/** The events that end a span: after them it is closed, whatever else follows. */
const closing = new Set([
  'SessionCompleted',
  'SessionFailed',
  'SessionCancelled',
  'PlanProposed',
  'StepCompleted',
  'StepFailed',
  'ReviewCompleted',
  'AgentRunCompleted',
  'AgentRunFailed',
  'ModelResponded',
  'ToolCallCompleted',
  'ToolCallFailed',
  'PolicyDecisionRecorded',
  'ApprovalGranted',
  'ApprovalRejected',
  'ApprovalExpired',
]);

interface Building {
  readonly key: string;
  readonly parentKey: string | null;
  readonly sessionId: string;
  readonly operation: SpanOperation;
  start: string;
  end: string;
  closed: boolean;
  readonly events: LoggedEvent[];
}

/**
 * Rebuilds the trace of one session from its events (any order; sorted by time here): the session,
 * its plan, steps and reviews, the agent runs under them, each model call and tool call under its
 * run, and the policy decision and approval under their tool call. A model call starts when its run
 * last did something (started, or got a tool's answer) and ends with its ModelResponded; a policy
 * decision spans from the request to the decision; an approval from its request to its answer.
 */
export function traceOfSession(events: readonly LoggedEvent[]): TraceSpan[] {
  const ordered = [...events].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  const spans = new Map<string, Building>();
  const lastActivity = new Map<string, string>();
  let latest = ordered[0]?.occurredAt ?? '';
  for (const event of ordered) {
    const place = spanPlaceOf(event);
    if (!place) continue;
    latest = event.occurredAt > latest ? event.occurredAt : latest;
    let span = spans.get(place.key);
    if (!span) {
      const parent = place.parentKey === null ? undefined : spans.get(place.parentKey);
      // A model call began when its run last moved; a decision when the call it decides was asked for.
      const begun = place.operation === 'chat' ? lastActivity.get(place.parentKey!) : place.operation === 'policy' ? parent?.start : undefined;
      span = { ...place, start: begun ?? event.occurredAt, end: event.occurredAt, closed: false, events: [] };
      spans.set(place.key, span);
    }
    span.events.push(event);
    span.end = event.occurredAt;
    if (closing.has(event.type)) span.closed = true;
    const run = place.operation === 'invoke_agent' ? place.key : place.operation === 'execute_tool' ? place.parentKey : undefined;
    if (run) lastActivity.set(run, event.occurredAt);
  }
  return [...spans.values()].map((span) => {
    const open = !span.closed;
    return {
      key: span.key,
      parentKey: span.parentKey !== null && spans.has(span.parentKey) ? span.parentKey : span.key === 'session' ? null : spans.has('session') ? 'session' : null,
      sessionId: span.sessionId,
      operation: span.operation,
      name: spanName(span.operation, span.key, span.events),
      start: span.start,
      end: open ? latest : span.end,
      open,
      traceparent: span.events.find((event) => event.traceparent)?.traceparent ?? null,
      eventIds: span.events.map((event) => event.eventId),
      attributes: spanAttributes(span.operation, span.sessionId, span.events, span.start, span.end),
    };
  });
}
