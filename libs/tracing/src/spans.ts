import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { activeIds, tracerScope } from './setup.js';
import { sessionSpanId, sessionTraceId } from './span-ids.js';
import type { TraceSpan } from './trace-tree.js';

const tracer = () => trace.getTracer(tracerScope.name);

/**
 * Runs a consumed message's handler in a CONSUMER span that is a child of the message's trace
 * context (the span of the event it carries). With tracing off it only runs the handler in that
 * context, as before: no span is made.
 */
export async function inConsumerSpan<T>(name: string, parent: Context, attributes: Record<string, string | number>, handle: () => Promise<T>): Promise<T> {
  if (!activeIds) return context.with(parent, handle);
  return tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await handle();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Exports spans rebuilt from the log (see traceOfSession) after the fact, with the times their
 * events recorded and the ids the events carry, each under its parent in the session's trace.
 */
export function recordSessionSpans(spans: readonly TraceSpan[]): void {
  const ids = activeIds;
  if (!ids) return;
  for (const span of spans) {
    const traceId = sessionTraceId(span.sessionId);
    const parent =
      span.parentKey === null
        ? context.active()
        : trace.setSpanContext(context.active(), { traceId, spanId: sessionSpanId(span.sessionId, span.parentKey), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    ids.preset(sessionSpanId(span.sessionId, span.key), span.parentKey === null ? traceId : undefined);
    const started = tracer().startSpan(span.name, { kind: SpanKind.INTERNAL, startTime: new Date(span.start), attributes: { ...span.attributes } }, span.parentKey === null ? trace.deleteSpan(parent) : parent);
    if (span.operation === 'session' && span.attributes['agent_orchestrator.status'] === 'failed') started.setStatus({ code: SpanStatusCode.ERROR });
    started.end(new Date(span.end));
  }
}
