import { createTestSchema, planRequested, uniqueStream, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { isEventStoreError } from '../errors.js';
import { PostgresEventStore } from './postgres-event-store.js';

/** appendIn: events that commit or roll back with the caller's own rows, in the caller's transaction. */
describe('PostgresEventStore.appendIn', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let notes: string;

  beforeAll(async () => {
    db = await createTestSchema('es_append_in');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    notes = `${pg.escapeIdentifier(db.schema)}.notes`;
    await db.pool.query(`CREATE TABLE ${notes} (id text PRIMARY KEY)`);
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  /** Writes a row and appends in one transaction, then commits or rolls back as `end` says. */
  async function inTransaction(end: 'COMMIT' | 'ROLLBACK', work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query(end);
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  const noteExists = async (id: string) => (await db.pool.query(`SELECT 1 FROM ${notes} WHERE id = $1`, [id])).rowCount === 1;

  it('commits the row and the events together, chained after what the stream held', async () => {
    const stream = uniqueStream();
    await store.append(stream, [planRequested()]);
    const event = planRequested();
    let result: Awaited<ReturnType<PostgresEventStore['appendIn']>> | undefined;
    await inTransaction('COMMIT', async (client) => {
      await client.query(`INSERT INTO ${notes} (id) VALUES ($1)`, [event.eventId]);
      result = await store.appendIn(client, stream, [event]);
      // Not visible outside the transaction before it commits.
      expect(await store.readStream(stream)).toHaveLength(1);
    });
    expect(result).toMatchObject({ streamId: stream, nextExpectedVersion: 1, alreadyAppended: false });
    expect(await noteExists(event.eventId)).toBe(true);
    const stored = await store.readStream(stream);
    expect(stored.map((e) => e.eventId)).toEqual([expect.any(String), event.eventId]);
    expect(stored[1]!.globalPosition).toBe(result!.position);
    expect(await store.verifyStream(stream)).toMatchObject({ ok: true, eventsChecked: 2 });
  });

  it('a rolled-back transaction leaves neither row nor event, and the stream continues where it was', async () => {
    const stream = uniqueStream();
    const dropped = planRequested();
    await inTransaction('ROLLBACK', async (client) => {
      await client.query(`INSERT INTO ${notes} (id) VALUES ($1)`, [dropped.eventId]);
      await store.appendIn(client, stream, [dropped]);
    });
    expect(await noteExists(dropped.eventId)).toBe(false);
    expect(await store.readStream(stream)).toEqual([]);

    const kept = await store.append(stream, [planRequested()], { expectedVersion: 'no_stream' });
    expect(kept.nextExpectedVersion).toBe(0);
    expect(await store.verifyStream(stream)).toMatchObject({ ok: true, eventsChecked: 1 });
  });

  it('a refused append fails the transaction, so the row written before it is not kept', async () => {
    const stream = uniqueStream();
    await store.append(stream, [planRequested()]);
    const event = planRequested();
    const refused = inTransaction('COMMIT', async (client) => {
      await client.query(`INSERT INTO ${notes} (id) VALUES ($1)`, [event.eventId]);
      await store.appendIn(client, stream, [event], { expectedVersion: 'no_stream' });
    });
    await expect(refused).rejects.toMatchObject({ name: 'EventStoreError', code: 'WrongExpectedVersion', message: expect.stringContaining('version 0') });
    expect(await noteExists(event.eventId)).toBe(false);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('validates like append, before anything is sent to the database', async () => {
    const stream = uniqueStream();
    await inTransaction('COMMIT', async (client) => {
      const error = await store.appendIn(client, stream, [planRequested({ data: { planner: 'Planner', attempt: 0 } })]).catch((e: unknown) => e);
      expect(isEventStoreError(error, 'InvalidEvent')).toBe(true);
      expect((error as Error).message).toContain('attempt');
      // The transaction is still usable: validation never reached the server.
      await store.appendIn(client, stream, [planRequested()]);
    });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('refuses an event id already stored, naming the stream', async () => {
    const stream = uniqueStream();
    const event = planRequested();
    await store.append(stream, [event]);
    const refused = inTransaction('COMMIT', (client) => store.appendIn(client, uniqueStream(), [event]).then(() => undefined));
    await expect(refused).rejects.toMatchObject({ code: 'DuplicateEventId', message: expect.stringContaining('already stored') });
  });

  it('a subscription gets the events once the transaction commits', async () => {
    const tenantId = 'appendin';
    const seen: string[] = [];
    const subscription = store.subscribeToAll({ subscriptionId: `append-in-${Date.now()}`, tenantId, handle: async (events) => void seen.push(...events.map((e) => e.eventId)) });
    try {
      const event = planRequested({ tenantId });
      let position = '';
      await inTransaction('COMMIT', async (client) => {
        position = (await store.appendIn(client, uniqueStream(), [event])).position;
      });
      await subscription.waitFor(position, 5000);
      expect(seen).toEqual([event.eventId]);
    } finally {
      await subscription.stop();
    }
  });
});
