import { LRUCache } from 'lru-cache';
import { activeIds } from './setup.js';
import { spanPlaceOf, type LoggedEvent } from './span-place.js';
import { recordSessionSpans } from './spans.js';
import { traceOfSession } from './trace-tree.js';

const sessionEnds = new Set(['SessionCompleted', 'SessionFailed', 'SessionCancelled']);

interface SessionBuffer {
  readonly events: Map<string, LoggedEvent>;
  readonly exported: Set<string>;
}

/**
 * Exports the spans of a session's work (session, plan, steps, agent runs, model and tool calls,
 * policy decisions, approvals) as the log closes them, rebuilt from the events with their recorded
 * times: fed every event the relay published, in log order. Each session's events are held until
 * it ends (at most `maxSessions` sessions; the oldest untouched is dropped first, and a process
 * restart forgets them: their spans closing later are still exported, those closed before are not).
 */
export class SessionSpanRecorder {
  private readonly sessions: LRUCache<string, SessionBuffer>;

  constructor(maxSessions = 2000) {
    this.sessions = new LRUCache({ max: maxSessions });
  }

  readonly observe = (events: readonly LoggedEvent[]): void => {
    if (!activeIds) return;
    const touched = new Set<string>();
    for (const event of events) {
      const place = spanPlaceOf(event);
      if (!place) continue;
      let buffer = this.sessions.get(place.sessionId);
      if (!buffer) this.sessions.set(place.sessionId, (buffer = { events: new Map(), exported: new Set() }));
      buffer.events.set(event.eventId, event);
      touched.add(place.sessionId);
    }
    for (const sessionId of touched) this.export(sessionId);
  };

  private export(sessionId: string): void {
    const buffer = this.sessions.get(sessionId)!;
    const events = [...buffer.events.values()];
    const ended = events.some((event) => event.streamId === `session-${sessionId}` && sessionEnds.has(event.type));
    const due = traceOfSession(events).filter((span) => !buffer.exported.has(span.key) && (ended || !span.open));
    recordSessionSpans(due);
    for (const span of due) buffer.exported.add(span.key);
    if (ended) this.sessions.delete(sessionId);
  }
}
