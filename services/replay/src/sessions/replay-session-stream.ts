import {
  commandForOutcome,
  maxEventsPerDecision,
  outcomeMetadata,
  planRefusedCommand,
  planRefusedCommandId,
  type RunOutcomeEvent,
  type SessionState,
} from '@agent-orchestrator/orchestrator/domain';
import { sessionStream, type CommandMetadata, type EventEnvelope, type SessionCommand, type SessionEvent } from '@agent-orchestrator/contracts';
import { eventIdsFor } from '@agent-orchestrator/event-store';
import type { Deciders } from './deciders.js';
import { compareDecision, differenceAt, type ReplayDifference } from './difference.js';
import type { SessionHistory } from './session-history.js';

type Built = { readonly command: SessionCommand; readonly planRefused?: (refusal: string) => SessionCommand } | { readonly unknown: string };

/**
 * Replays the session stream: for each decision the log shows, the command that caused it is
 * built again from what the log recorded (an agent run's outcome; otherwise the command the
 * event answers: a start, a cancellation, a tenant's pause or resume, a timeout check), the
 * session decider decides it on the replayed state, and the decided events must be the ones
 * recorded, ids and times included. Commands from outside the log (the gateway's, the sweeps')
 * carry ids drawn when they were sent, so theirs are read from the events they caused; an
 * outcome's are derived from the outcome, as the orchestrator derives them.
 */
export function replaySessionStream(history: SessionHistory, deciders: Deciders): { difference?: ReplayDifference; decisions: number } {
  const streamId = sessionStream(history.sessionId);
  const recorded = history.session;
  const outcomes = new Map<string, EventEnvelope>();
  for (const events of history.runs.values()) for (const event of events) if (event.type === 'AgentRunCompleted' || event.type === 'AgentRunFailed') outcomes.set(event.eventId, event);

  let state: SessionState = deciders.session.initialState();
  let decisions = 0;
  for (let at = 0; at < recorded.length; ) {
    const first = recorded[at]!;
    const built = at === 0 && history.forkedFrom ? forkCommand(recorded, history.forkedFrom) : commandFor(first, recorded.slice(at), outcomes);
    if ('unknown' in built) return { difference: differenceAt(streamId, first, undefined, built.unknown), decisions };
    let decided: readonly SessionEvent[];
    try {
      decided = decideOrRefuse(deciders, built, state, at === 0 ? history.forkedFrom : undefined);
    } catch (refusal) {
      const { code, message } = refusal as { code?: string; message?: string };
      return { difference: differenceAt(streamId, first, undefined, `the replay refuses ${built.command.type} (${code ?? 'error'}): ${message}`), decisions };
    }
    if (decided.length === 0) return { difference: differenceAt(streamId, first, undefined, `the replay decides nothing for ${built.command.type}`), decisions };
    const difference = compareDecision(streamId, recorded, at, decided);
    if (difference) return { difference, decisions };
    for (const event of decided) state = deciders.session.evolve(state, event);
    at += decided.length;
    decisions += 1;
  }
  return { decisions };
}

function decideOrRefuse(deciders: Deciders, built: Extract<Built, { command: SessionCommand }>, state: SessionState, forkedFrom: readonly EventEnvelope[] | undefined): readonly SessionEvent[] {
  try {
    return deciders.session.decide(built.command, state, undefined, forkedFrom as readonly SessionEvent[] | undefined);
  } catch (refusal) {
    // As the orchestrator does: an unrunnable plan is a failed planner run, decided as its own command.
    if (!built.planRefused || (refusal as { code?: string }).code !== 'InvalidPlan') throw refusal;
    return deciders.session.decide(built.planRefused((refusal as Error).message), state);
  }
}

/**
 * A fork's first decision: the copies of the original's events, SessionForked, and what was in
 * flight asked again. Its metadata is the SessionForked's (the copies say which event each copies).
 */
function forkCommand(recorded: readonly EventEnvelope[], original: readonly EventEnvelope[]): Built {
  const forked = recorded.find((event) => event.type === 'SessionForked') as (EventEnvelope & Extract<SessionEvent, { type: 'SessionForked' }>) | undefined;
  if (!forked) return { unknown: 'the session copied another but records no SessionForked' };
  const { tenantId, correlationId, causationId, actor, traceparent, occurredAt } = forked;
  const metadata: CommandMetadata = { tenantId, correlationId, causationId, actor, traceparent, now: occurredAt, eventIds: recorded.slice(0, original.length + 1 + maxEventsPerDecision).map((event) => event.eventId) };
  return { command: { type: 'ForkSession', sessionId: correlationId, from: forked.data.from, overrides: forked.data.overrides, metadata } };
}

/** The command behind the decision whose first event is `first`. */
function commandFor(first: EventEnvelope, from: readonly EventEnvelope[], outcomes: ReadonlyMap<string, EventEnvelope>): Built {
  const outcome = first.causationId === null ? undefined : outcomes.get(first.causationId);
  if (outcome) {
    const event = outcome as unknown as RunOutcomeEvent;
    const command = commandForOutcome(event, outcomeMetadata(event, first.occurredAt, eventIdsFor(outcome.eventId, maxEventsPerDecision)));
    if (command.type !== 'RecordPlan') return { command };
    const refusedMetadata = outcomeMetadata(event, first.occurredAt, eventIdsFor(planRefusedCommandId(outcome.eventId), maxEventsPerDecision));
    return { command, planRefused: (refusal) => planRefusedCommand(command, refusal, refusedMetadata) };
  }
  const { tenantId, correlationId, causationId, actor, traceparent, occurredAt } = first;
  const metadata: CommandMetadata = { tenantId, correlationId, causationId, actor, traceparent, now: occurredAt, eventIds: from.slice(0, maxEventsPerDecision).map((event) => event.eventId) };
  const sessionId = correlationId;
  const event = first as EventEnvelope & SessionEvent;
  switch (event.type) {
    case 'SessionStarted': {
      const { goal, context, constraints, agentVersions, toolVersions } = event.data;
      return { command: { type: 'StartSession', sessionId, goal, context, constraints, agentVersions, toolVersions, metadata } };
    }
    case 'SessionCancelled':
      return { command: { type: 'CancelSession', sessionId, ...(event.data.reason === undefined ? {} : { reason: event.data.reason }), metadata } };
    case 'SessionPaused':
      return { command: { type: 'PauseSession', sessionId, reason: event.data.reason, tenantStatusVersion: event.data.tenantStatusVersion, metadata } };
    case 'SessionResumed':
      return { command: { type: 'ResumeSession', sessionId, tenantStatusVersion: event.data.tenantStatusVersion, metadata } };
    default:
      if (causationId === 'timeout-sweep') return { command: { type: 'CheckTimeouts', sessionId, metadata } };
      return { unknown: `no recorded command or outcome explains this ${first.type} (caused by ${causationId ?? 'nothing'})` };
  }
}
