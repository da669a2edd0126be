import { createTestSchema, planRequested, uniqueStream, type TestSchema } from '@agent-orchestrator/testing';
import type { EventEnvelope, NewEvent } from '@agent-orchestrator/contracts';
import { handleCommand, type Decider } from './command-handler.js';
import { isEventStoreError } from './errors.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

/** Plan attempts as a tiny stream: each RequestPlan appends the next attempt, up to a limit. */
type RequestPlan = { readonly type: 'RequestPlan'; readonly limit: number; readonly eventId?: string };
type Attempts = { readonly attempts: number };

class PlanLimitReached extends Error {
  readonly code = 'PlanLimitReached';
}

const planning: Decider<RequestPlan, Attempts> = {
  initialState: () => ({ attempts: 0 }),
  evolve: (state, event: EventEnvelope) => (event.type === 'PlanRequested' ? { attempts: (event.data as { attempt: number }).attempt } : state),
  decide: (command, state): NewEvent[] => {
    if (state.attempts >= command.limit) throw new PlanLimitReached(`no more than ${command.limit} plan attempts`);
    const event = planRequested({ data: { planner: 'Planner', attempt: state.attempts + 1 } });
    return [command.eventId ? { ...event, eventId: command.eventId } : event];
  },
};

describe('the shared command handler', () => {
  let db: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestSchema('command_handler');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  it('decides on the current state and appends at the version it read', async () => {
    const stream = uniqueStream();
    const first = await handleCommand(store, stream, { type: 'RequestPlan', limit: 5 }, planning);
    const second = await handleCommand(store, stream, { type: 'RequestPlan', limit: 5 }, planning);
    expect(first.state).toEqual({ attempts: 1 });
    expect(second.state).toEqual({ attempts: 2 });
    expect(second.appended?.nextExpectedVersion).toBe(1);
  });

  it('runs again on the new state when concurrent commands race, so none is lost or doubled', async () => {
    const stream = uniqueStream();
    await Promise.all(Array.from({ length: 6 }, () => handleCommand(store, stream, { type: 'RequestPlan', limit: 100 }, planning, { maxAttempts: 20 })));
    const attempts = (await store.readStream(stream)).map((e) => (e.data as { attempt: number }).attempt);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('passes a refusal through untouched and writes nothing', async () => {
    const stream = uniqueStream();
    await handleCommand(store, stream, { type: 'RequestPlan', limit: 1 }, planning);
    await expect(handleCommand(store, stream, { type: 'RequestPlan', limit: 1 }, planning)).rejects.toMatchObject({ code: 'PlanLimitReached' });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('gives up with WrongExpectedVersion when the stream keeps moving', async () => {
    const stream = uniqueStream();
    await handleCommand(store, stream, { type: 'RequestPlan', limit: 100 }, planning);
    // A writer that appends between every read and append of ours.
    const busy: typeof store = Object.create(store);
    busy.append = async (id, events, options) => {
      await store.append(id, [planRequested({ data: { planner: 'Planner', attempt: 99 } })]);
      return store.append(id, events, options);
    };
    const error = await handleCommand(busy, stream, { type: 'RequestPlan', limit: 100 }, planning, { maxAttempts: 3 }).catch((e: unknown) => e);
    expect(isEventStoreError(error, 'WrongExpectedVersion')).toBe(true);
  });

  it('appends nothing for a command that decides no events', async () => {
    const stream = uniqueStream();
    const quiet: Decider<RequestPlan, Attempts> = { ...planning, decide: () => [] };
    expect(await handleCommand(store, stream, { type: 'RequestPlan', limit: 1 }, quiet)).toEqual({ state: { attempts: 0 }, newEvents: [], appended: undefined });
    expect(await store.readStream(stream)).toEqual([]);
  });
});
