import type { EventEnvelope, NewEvent } from '@agent-orchestrator/contracts';
import pRetry, { AbortError } from 'p-retry';
import { v5 as uuidV5 } from 'uuid';
import { isEventStoreError } from './errors.js';
import type { AppendResult, EventStore, ExpectedVersion } from './port.js';

/** A stream's behaviour: pure functions over its events, in the shape every slice uses. */
export interface Decider<Command, State> {
  initialState(): State;
  evolve(state: State, event: EventEnvelope): State;
  /** The events the command causes; [] when it changes nothing. Throws the domain's error to refuse. */
  decide(command: Command, state: State): readonly NewEvent[];
}

/** Fixed namespace for event ids derived from command ids (UUID v5). */
const eventIdNamespace = '6f1d3c0e-5b7a-4a8e-9c55-2d3b7e1f0a42';

/**
 * The ids of the events a command may cause, derived from its id: a redelivered or resent command
 * decides its events with the same ids, and the store recognises them as already stored.
 */
export function eventIdsFor(commandId: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => uuidV5(`${commandId}/${i}`, eventIdNamespace));
}

export interface HandledCommand<State> {
  /** The state after the new events. */
  readonly state: State;
  readonly newEvents: readonly NewEvent[];
  /** Undefined when the command caused no events. */
  readonly appended: AppendResult | undefined;
}

export interface CommandHandlerOptions {
  /** Attempts when another writer got to the stream first. */
  readonly maxAttempts?: number;
}

/**
 * The one command handler: read the stream, fold it into state, decide, append at the version
 * read. When another writer appended in between, the append is refused and the whole cycle runs
 * again on the new state, with jittered backoff; a command that carries its event ids in its
 * metadata is then recognised if its own earlier attempt had in fact been stored.
 */
export async function handleCommand<Command, State>(
  store: EventStore,
  streamId: string,
  command: Command,
  decider: Decider<Command, State>,
  options: CommandHandlerOptions = {},
): Promise<HandledCommand<State>> {
  return pRetry(
    async () => {
      let state = decider.initialState();
      let version = -1;
      for await (const event of store.streamEvents(streamId)) {
        state = decider.evolve(state, event);
        version = event.streamVersion;
      }
      let newEvents: readonly NewEvent[];
      try {
        newEvents = decider.decide(command, state);
      } catch (refusal) {
        throw new AbortError(refusal as Error);
      }
      if (newEvents.length === 0) return { state, newEvents, appended: undefined };
      const expectedVersion: ExpectedVersion = version === -1 ? 'no_stream' : version;
      try {
        const appended = await store.append(streamId, newEvents, { expectedVersion });
        // Only the last event's position comes back; the state sees it on every new event.
        const position = appended.position;
        for (const [i, event] of newEvents.entries()) {
          state = decider.evolve(state, { ...event, streamId, streamVersion: version + 1 + i, globalPosition: position });
        }
        return { state, newEvents, appended };
      } catch (error) {
        if (isEventStoreError(error, 'WrongExpectedVersion')) throw error;
        throw new AbortError(error as Error);
      }
    },
    { retries: (options.maxAttempts ?? 5) - 1, minTimeout: 5, maxTimeout: 200, randomize: true },
  );
}
