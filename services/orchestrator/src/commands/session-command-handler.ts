import { sessionEvents, sessionStream, type CommandMessage, type EventEnvelope, type SessionCommand, type SessionEvent } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type Decider, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import { redactingDecider, type PiiKind, type RedactedFields } from '@agent-orchestrator/pii';
import type { Logger } from 'pino';
import type { SessionError} from '../domain/session/index.js';
import { decide, evolve, initialState, maxEventsPerDecision, type SessionErrorCode, type SessionState } from '../domain/session/index.js';
import { recordSessionTimings } from './session-timings.js';

const sessionEventTypes = new Set<string>(sessionEvents.map((definition) => definition.type));
const isSessionEvent = (event: EventEnvelope): event is EventEnvelope & SessionEvent => sessionEventTypes.has(event.type);

/**
 * The Session decider in the shape the shared command handler takes. The store validated every
 * event against the catalog and upcast it, so a session event read back has its latest shape;
 * an event of another kind in the stream does not touch the session's state.
 */
export const sessionDecider: Decider<SessionCommand, SessionState> = deciderForking(undefined);

/** The Session decider for a ForkSession, with the original's events it copies (read beforehand). */
function deciderForking(original: readonly SessionEvent[] | undefined): Decider<SessionCommand, SessionState> {
  return {
    initialState,
    evolve: (state, event) => (isSessionEvent(event) ? evolve(state, event) : state),
    decide: (command, state) => decide(command, state, undefined, original),
  };
}

/** What a client sends that the session stores: the goal, the context, a cancellation's reason. */
const clientText: RedactedFields = { SessionStarted: { goal: { maxChars: 20_000 }, context: {} }, SessionCancelled: { reason: { maxChars: 4000 } } };

/** The ids of the events a session command may cause, derived from its id. */
export const sessionEventIdsFor = (commandId: string): string[] => eventIdsFor(commandId, maxEventsPerDecision);

/**
 * Handles one session command from `commands.orchestrator`: decide on the session stream through
 * the shared command handler. A command that arrives again after it took effect finds the
 * session moved on: starting a started session or acting on an ended one is acknowledged and
 * dropped; other refusals are dead-lettered with the decider's reason; store faults are retried.
 */
export function sessionCommandHandler(
  store: EventStore,
  logger: Logger,
  privacy: { kindsFor(tenantId: string): Promise<readonly PiiKind[]> },
): (message: ConsumedMessage<CommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => decideSessionCommand(store, logger, commandId, command, await privacy.kindsFor(command.metadata.tenantId));
}

/**
 * Decides one session command, whoever sent it (the gateway through Kafka, an agent run's outcome,
 * the timeout sweep). Event ids derive from `commandId`, so the same command decided twice
 * appends once. Personal data of the `redact` kinds in what a client sent is replaced before the
 * events are appended, with a PiiRedacted beside them, so the log never holds it (outputs of
 * agent runs arrive redacted by agent-runtime). Throws a MessagingError saying whether a failure
 * is worth retrying.
 */
export async function decideSessionCommand(store: EventStore, logger: Logger, commandId: string, command: SessionCommand, redact: readonly PiiKind[] = []): Promise<void> {
  // A fork appends the original's events it copies as well as what one decision can.
  const original = command.type === 'ForkSession' ? await forkedEvents(store, command.from) : undefined;
  const eventIds = original === undefined ? sessionEventIdsFor(commandId) : eventIdsFor(commandId, original.length + 1 + maxEventsPerDecision);
  const withIds: SessionCommand = { ...command, metadata: { ...command.metadata, eventIds } };
  try {
    const handled = await handleCommand(store, sessionStream(command.sessionId), withIds, redactingDecider(deciderForking(original), redact, clientText));
    await recordSessionTimings(store, sessionStream(command.sessionId), handled);
  } catch (error) {
    const code = sessionErrorCode(error);
    if (code !== undefined) {
      if (alreadySettled(code)) {
        logger.info({ commandId, type: command.type, sessionId: command.sessionId, code }, 'command already settled; dropped');
        return;
      }
      throw new MessagingError('Rejected', `${command.type} for session ${command.sessionId} refused (${code}): ${(error as Error).message}`, { cause: error });
    }
    if (isEventStoreError(error) && !error.retryable) {
      throw new MessagingError('Rejected', `${command.type} for session ${command.sessionId}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The original's session events a fork copies: those at versions 0 to `from.version`. */
async function forkedEvents(store: EventStore, from: { readonly sessionId: string; readonly version: number }): Promise<SessionEvent[]> {
  const events = await store.readStream(sessionStream(from.sessionId), { fromVersion: 0, maxCount: from.version + 1 });
  return events.filter(isSessionEvent);
}

/** The decider's refusal code, for a SessionError (by name: it may come from another copy of the module). */
export function sessionErrorCode(error: unknown): SessionErrorCode | undefined {
  return error instanceof Error && error.name === 'SessionError' ? (error as SessionError).code : undefined;
}
function alreadySettled(code: SessionErrorCode): boolean {
  switch (code) {
    case 'SessionAlreadyStarted':
    case 'SessionEnded':
      return true;
    case 'SessionNotFound':
    case 'TenantMismatch':
    case 'InvalidPlan':
    case 'InvalidReview':
    case 'NotRequested':
    case 'InvalidCommand':
      return false;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}
