import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { stampedTraceparent } from '@agent-orchestrator/tracing';
import { isDeepStrictEqual } from 'node:util';

/** An event as a decider decided it: the envelope fields it stamps, without a stream position. */
export type DecidedEvent = Pick<EventEnvelope, 'eventId' | 'type' | 'schemaVersion' | 'tenantId' | 'correlationId' | 'causationId' | 'actor' | 'occurredAt' | 'traceparent' | 'data'>;

/**
 * The first place a replay decided otherwise than the log: the stream, the version and type of
 * the recorded event there (or of the replayed one, when the log has none), and both versions of
 * the event as compared, or `replayed` missing when the replay decided nothing there.
 */
export interface ReplayDifference {
  readonly streamId: string;
  readonly version: number;
  readonly eventType: string;
  readonly reason: string;
  readonly recorded?: DecidedEvent;
  readonly replayed?: DecidedEvent;
  /** Where the recorded event stands in the log, to find the earliest of several streams' differences. */
  readonly position: string;
}

/** What a replay compares: everything a decider stamps. A stream position is the store's, not the decider's. */
export const comparable = (event: DecidedEvent): DecidedEvent => {
  const { eventId, type, schemaVersion, tenantId, correlationId, causationId, actor, occurredAt, traceparent, data } = event;
  // Through JSON, as the store keeps it: an absent optional field and an undefined one are the same.
  return JSON.parse(JSON.stringify({ eventId, type, schemaVersion, tenantId, correlationId, causationId, actor, occurredAt, traceparent, data })) as DecidedEvent;
};

/** The fields in which a replayed event differs from the recorded one; empty when they are the same. */
export function differingFields(recorded: DecidedEvent, replayed: DecidedEvent): string[] {
  const a = comparable(recorded) as unknown as Record<string, unknown>;
  const b = comparable(replayed) as unknown as Record<string, unknown>;
  return Object.keys(a).filter((field) => !isDeepStrictEqual(a[field], b[field]));
}

/** The difference at a recorded event, or after the last one of a stream when the replay decided more. */
export function differenceAt(streamId: string, recorded: EventEnvelope | undefined, after: EventEnvelope | undefined, reason: string, replayed?: DecidedEvent): ReplayDifference {
  return {
    streamId,
    version: recorded?.streamVersion ?? (after ? after.streamVersion + 1 : 0),
    eventType: recorded?.type ?? replayed?.type ?? 'none',
    reason,
    ...(recorded ? { recorded: comparable(recorded) } : {}),
    ...(replayed ? { replayed: comparable(replayed) } : {}),
    position: recorded?.globalPosition ?? after?.globalPosition ?? '',
  };
}

/**
 * Compares what one decision decided with the log from `from` on: the first event that differs,
 * or undefined when each decided event is the one recorded at its place.
 */
export function compareDecision(streamId: string, recorded: readonly EventEnvelope[], from: number, decided: readonly DecidedEvent[]): ReplayDifference | undefined {
  // Both as the store keeps them: an event of a session's work under its own span of the session's
  // trace, in place of the traceparent the decider copied from its cause (see stampedTraceparent).
  const stamped = <Event extends DecidedEvent>(event: Event): Event => ({ ...event, traceparent: stampedTraceparent({ ...event, streamId }) });
  for (const [offset, decidedEvent] of decided.entries()) {
    const replayed = stamped(decidedEvent);
    const logged = recorded[from + offset];
    const at = logged && stamped(logged);
    if (!at) return differenceAt(streamId, undefined, recorded.at(-1), `the replay decides a ${replayed.type} the log does not have`, replayed);
    const fields = differingFields(at, replayed);
    if (fields.length > 0) return differenceAt(streamId, at, undefined, `the replay decides otherwise: ${fields.join(', ')} differ`, replayed);
  }
  return undefined;
}
