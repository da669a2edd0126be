import { createTestSchema, planRequested, planRequestedBatch, uniqueStream, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { describeEventStoreBehaviour } from '../event-store.behaviour.js';
import { canonicalContent } from '../hash-chain.js';
import { PostgresEventStore } from './postgres-event-store.js';

describeEventStoreBehaviour('PostgreSQL', async () => {
  const db = await createTestSchema('es_behaviour');
  const store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
  return { store, dispose: () => db.dispose() };
});

describe('PostgreSQL event store specifics', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let events: string;

  beforeAll(async () => {
    db = await createTestSchema('es_pg');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    events = `${pg.escapeIdentifier(db.schema)}.events`;
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  /** Appends through the store's own SQL function inside a transaction the test controls. */
  async function beginAppend(stream: string, tenantId: string) {
    const client = await db.pool.connect();
    await client.query('BEGIN');
    const event = planRequested({ tenantId });
    await client.query(`SELECT * FROM ${pg.escapeIdentifier(db.schema)}.append_events($1, $2, 'any', $3::uuid[], $4::text[], $5::text[])`, [
      stream,
      tenantId,
      [event.eventId],
      [event.type],
      [canonicalContent({ ...event, streamId: stream })],
    ]);
    return {
      event,
      commit: async () => {
        await client.query('COMMIT');
        client.release();
      },
    };
  }

  it('never skips an event whose transaction commits after a higher position became visible', async () => {
    const tenantId = 'late';
    const start = (await store.readAll({ tenantId })).at(-1)?.globalPosition;

    // A takes the lower position but commits last; B takes a higher one and commits first.
    const slow = await beginAppend(uniqueStream(), tenantId);
    const fast = await store.append(uniqueStream(), [planRequested({ tenantId })]);

    // A naive reader orders by the sequence and trusts "position > checkpoint".
    const naive = async (after: string) =>
      (await db.pool.query<{ global_position: string; event_id: string }>(
        `SELECT global_position, event_id FROM ${events} WHERE tenant_id = $1 AND global_position > $2 ORDER BY global_position`,
        [tenantId, after],
      )).rows;
    const naiveFirst = await naive('0');
    expect(naiveFirst).toHaveLength(1);
    const naiveCheckpoint = naiveFirst[0]!.global_position;

    // Ours does not show B while A, which sorts before it, can still commit.
    expect(await store.readAll({ after: start, tenantId })).toEqual([]);

    await slow.commit();
    expect((await naive(naiveCheckpoint)).map((r) => r.event_id)).not.toContain(slow.event.eventId);

    // Visibility follows the oldest transaction still running anywhere in the cluster (transaction
    // ids are cluster-wide), so another spec's open transaction may hold B back for a moment: wait.
    const seen = await waitFor('both events to be visible', async () => {
      const read = await store.readAll({ after: start, tenantId });
      return read.length >= 2 ? read : undefined;
    });
    expect(seen.map((e) => e.eventId)).toEqual([slow.event.eventId, expect.any(String)]);
    expect(seen[1]!.globalPosition).toBe(fast.position);
  });

  it('a subscription delivers both events when positions commit out of order', async () => {
    const tenantId = 'latesub';
    const seen: string[] = [];
    const subscription = store.subscribeToAll({ subscriptionId: 'late-sub', tenantId, batchSize: 1, handle: async (e) => void seen.push(...e.map((x) => x.eventId)) });
    const slow = await beginAppend(uniqueStream(), tenantId);
    const fast = await store.append(uniqueStream(), [planRequested({ tenantId })]);
    await slow.commit();
    await subscription.waitFor(fast.position);
    await subscription.stop();
    expect(seen).toHaveLength(2);
    expect(seen).toContain(slow.event.eventId);
    expect(await store.checkpoints.load('late-sub')).toBe(fast.position);
  });

  it('refuses an append whose transaction would sort before the stream head, so stream order holds globally', async () => {
    const stream = uniqueStream();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()'); // takes a transaction id now
      await store.append(stream, [planRequested()]); // a newer transaction writes the head
      const event = planRequested();
      const attempt = client.query(`SELECT * FROM ${pg.escapeIdentifier(db.schema)}.append_events($1, 'acme', 'any', $2::uuid[], $3::text[], $4::text[])`, [
        stream,
        [event.eventId],
        [event.type],
        [canonicalContent({ ...event, streamId: stream })],
      ]);
      await expect(attempt).rejects.toMatchObject({ code: 'ES40R' });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  describe('tamper evidence', () => {
    const tamper = (sql: string, stream: string, version: number) => db.pool.query(sql.replaceAll('$events', events), [stream, version]);

    it('finds an altered event', async () => {
      const stream = uniqueStream();
      await store.append(stream, planRequestedBatch(4));
      await tamper(`UPDATE $events SET content = json_build_object('eventId', content->'eventId', 'type', 'PlanRequested', 'schemaVersion', 1, 'streamId', stream_id, 'tenantId', 'acme', 'correlationId', 'corr-1', 'causationId', null, 'actor', content->'actor', 'occurredAt', content->'occurredAt', 'traceparent', null, 'data', json_build_object('planner', 'Mallory', 'attempt', 2)) WHERE stream_id = $1 AND stream_version = $2`, stream, 1);
      const report = await store.verifyStream(stream);
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([expect.objectContaining({ kind: 'altered', streamVersion: 1 })]);
    });

    it('finds a removed event', async () => {
      const stream = uniqueStream();
      await store.append(stream, planRequestedBatch(4));
      await tamper(`DELETE FROM $events WHERE stream_id = $1 AND stream_version = $2`, stream, 2);
      const report = await store.verifyStream(stream);
      expect(report.problems.map((p) => [p.kind, p.streamVersion])).toEqual([
        ['missing', 2],
        ['broken-link', 3],
      ]);
    });

    it('finds a removed last event through the recorded head', async () => {
      const stream = uniqueStream();
      await store.append(stream, planRequestedBatch(3));
      await tamper(`DELETE FROM $events WHERE stream_id = $1 AND stream_version = $2`, stream, 2);
      expect((await store.verifyStream(stream)).problems).toEqual([expect.objectContaining({ kind: 'truncated' })]);
    });

    it('finds an inserted event', async () => {
      const stream = uniqueStream();
      await store.append(stream, planRequestedBatch(3));
      // Make room at version 1 and slip a forged event in, hashed honestly but unchained.
      await tamper(`UPDATE $events SET stream_version = stream_version + 10 WHERE stream_id = $1 AND stream_version >= $2`, stream, 1);
      await tamper(`UPDATE $events SET stream_version = stream_version - 9 WHERE stream_id = $1 AND stream_version >= 10 + $2`, stream, 1);
      const forged = await store.append(uniqueStream(), [planRequested()]);
      await db.pool.query(
        `UPDATE ${events} SET stream_id = $1, stream_version = 1, content = json_build_object('eventId', content->'eventId', 'type', 'PlanRequested', 'schemaVersion', 1, 'streamId', $1::text, 'tenantId', 'acme', 'correlationId', 'corr-1', 'causationId', null, 'actor', content->'actor', 'occurredAt', content->'occurredAt', 'traceparent', null, 'data', content->'data') WHERE stream_id = $2`,
        [stream, forged.streamId],
      );
      const report = await store.verifyStream(stream);
      expect(report.ok).toBe(false);
      expect(report.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['broken-link']));
      expect(report.eventsChecked).toBe(4);
    });
  });

  it('runs its migration concurrently from several processes without error', async () => {
    const schema = `${db.schema}_m`;
    await Promise.all(Array.from({ length: 4 }, () => PostgresEventStore.open({ pool: db.pool, schema })));
    await db.pool.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`);
  });
});
