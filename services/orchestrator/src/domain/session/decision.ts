import { sessionEvents, type CommandMetadata, type SessionEvent } from '@agent-orchestrator/contracts';
import { SessionError } from './errors.js';
import { evolve } from './evolve.js';
import { maxPlanSteps } from './plan.js';
import type { SessionFacts, SessionState } from './state.js';

type SessionEventType = SessionEvent['type'];
type DataOf<Type extends SessionEventType> = Extract<SessionEvent, { type: Type }>['data'];

const latestVersion = new Map<string, number>(sessionEvents.map((definition) => [definition.type, definition.versions.length]));

/**
 * The most events one command can decide, so the caller knows how many event ids to supply: a
 * CheckTimeouts that finds every step of the largest plan timed out fails and reschedules each.
 */
export const maxEventsPerDecision = 2 * maxPlanSteps + 2;

/** The reason fields of the catalog hold at most this many characters. */
const maxReasonLength = 4000;

/**
 * The events one command decides, built up one at a time. Each event is folded into `state` as
 * it is recorded, so a later choice in the same command (what is ready now? is the budget
 * crossed?) sees the earlier ones, exactly as a replay of the log would.
 */
export class Decision {
  readonly events: SessionEvent[] = [];

  constructor(
    public state: SessionState,
    private readonly metadata: CommandMetadata,
  ) {}

  get now(): string {
    return this.metadata.now;
  }

  /** The live session's facts; a decider bug if the session is absent or has ended. */
  get session(): SessionFacts {
    if (!('session' in this.state)) throw new Error(`decided past the end of the session (phase ${this.state.phase})`);
    return this.state.session;
  }

  record<Type extends SessionEventType>(type: Type, data: DataOf<Type>): void {
    this.append(type, data, this.metadata.causationId);
  }

  /** Records another session's event as this one's own (a fork's copy): caused by the event it copies. */
  copy(original: SessionEvent): void {
    this.append(original.type, original.data, original.eventId);
  }

  private append(type: SessionEventType, data: unknown, causationId: string | null): void {
    const { eventIds, now, tenantId, correlationId, actor, traceparent } = this.metadata;
    const eventId = eventIds[this.events.length];
    if (eventId === undefined) {
      throw new SessionError('InvalidCommand', `the command decided more than the ${eventIds.length} event ids it carries`);
    }
    const schemaVersion = latestVersion.get(type) ?? 1;
    const event = { eventId, type, schemaVersion, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data };
    this.events.push(event as SessionEvent);
    this.state = evolve(this.state, event as SessionEvent);
  }

  fail(reason: string): void {
    const clipped = reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength - 1)}…` : reason;
    this.record('SessionFailed', { reason: clipped, usage: this.session.usage });
  }
}
