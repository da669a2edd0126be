import { createHash } from 'node:crypto';
import { spanPlaceOf, type LoggedEvent } from './span-place.js';

const hex = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** The session's trace id: derived from its id, so every process puts the session's work in one trace without asking another. */
export const sessionTraceId = (sessionId: string): string => hex(`trace/${sessionId}`, 32);

/** A span's id from its key in the session (see SpanPlace): the same in the log, the exporter and the console. */
export const sessionSpanId = (sessionId: string, key: string): string => hex(`span/${sessionId}/${key}`, 16);

export const traceparentOf = (sessionId: string, key: string): string => `00-${sessionTraceId(sessionId)}-${sessionSpanId(sessionId, key)}-01`;

/** The traceparent of the session's root span: what a command that starts or steers a session carries. */
export const sessionTraceparent = (sessionId: string): string => traceparentOf(sessionId, 'session');

/**
 * The traceparent an event of a session's work is stored with: its span's, in its session's trace,
 * in place of none or of the one the decider copied from the event that caused it (same trace,
 * another span). A traceparent of another trace was chosen by whoever wrote the event, and stays;
 * so do those of events of no session.
 */
export function stampedTraceparent(event: LoggedEvent): string | null {
  const place = spanPlaceOf(event);
  if (!place) return event.traceparent;
  const traceId = sessionTraceId(place.sessionId);
  if (event.traceparent && event.traceparent.split('-')[1] !== traceId) return event.traceparent;
  return `00-${traceId}-${sessionSpanId(place.sessionId, place.key)}-01`;
}
