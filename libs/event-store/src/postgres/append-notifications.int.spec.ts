import { createTestSchema, planRequested, uniqueStream, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { canonicalContent } from '../hash-chain.js';
import type { ReadAllOptions, Subscription } from '../port.js';
import { PostgresEventStore } from './postgres-event-store.js';

/**
 * Two stores on one schema, each with its own pool, stand for two processes. Subscriptions poll
 * only every ten minutes, far longer than any of these tests may take: an event delivered in time
 * was delivered because its append was announced.
 */
const pollIntervalMs = 10 * 60_000;
const deliveredWithinMs = 60_000;

describe('PostgreSQL subscriptions woken by appends in other processes', () => {
  let db: TestSchema;
  let writerPool: pg.Pool;
  let writer: PostgresEventStore;
  let reader: PostgresEventStore;
  const listenErrors: unknown[] = [];
  const running: Subscription[] = [];

  beforeAll(async () => {
    db = await createTestSchema('es_notify');
    reader = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs, onListenError: (e) => listenErrors.push(e) });
    writerPool = new pg.Pool({ connectionString: db.connectionString, max: 2 });
    writer = await PostgresEventStore.open({ pool: writerPool, schema: db.schema, pollIntervalMs });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await reader.close();
    await writer.close();
    await writerPool.end();
    await db.dispose();
  });

  /** A subscription on the reader that has read the log to its end and now waits. */
  const caughtUpSubscription = async (subscriptionId: string) => {
    const seen: string[] = [];
    const subscription = reader.subscribeToAll({ subscriptionId, handle: async (events) => void seen.push(...events.map((e) => e.eventId)) });
    running.push(subscription);
    const mark = await reader.append(uniqueStream(), [planRequested()]);
    await subscription.waitFor(mark.position, deliveredWithinMs);
    return { seen, subscription };
  };

  /** The backends listening for this schema's appends (the reader's listener, once it is up). */
  const listeners = async () =>
    (
      await db.pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [
        `LISTEN ${pg.escapeIdentifier(db.schema)}`,
      ])
    ).rows.map((r) => r.pid);

  it("delivers another store's append without waiting for the poll", async () => {
    const { seen, subscription } = await caughtUpSubscription('other-process');
    const event = planRequested();
    const { position } = await writer.append(uniqueStream(), [event]);
    await subscription.waitFor(position, deliveredWithinMs);
    expect(seen.at(-1)).toBe(event.eventId);
  });

  it('reads again after an announced append that an older transaction still hides, and delivers it in order once that one ends', async () => {
    const { seen, subscription } = await caughtUpSubscription('held-back');
    let reads = 0;
    const readAll = reader.readAll.bind(reader);
    // Counts the subscription's reads (it reads through the store's readAll).
    reader.readAll = (options?: ReadAllOptions) => {
      reads++;
      return readAll(options);
    };
    const blocker = await writerPool.connect();
    try {
      // An older transaction that appends nothing: its end is announced to nobody.
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      const event = planRequested();
      const { position } = await writer.append(uniqueStream(), [event]);
      const readsAfterAppend = reads;
      // Announced once, hidden by the blocker: the subscription keeps looking, not waiting for the poll.
      await waitFor('the subscription to look again after missing the append', () => reads >= readsAfterAppend + 3, {
        timeoutMs: deliveredWithinMs,
      });
      expect(seen).not.toContain(event.eventId);

      await blocker.query('COMMIT');
      await subscription.waitFor(position, deliveredWithinMs);
      expect(seen.at(-1)).toBe(event.eventId);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
      delete (reader as { readAll?: unknown }).readAll;
    }
  });

  it('keeps appends of one transaction behind an older one that commits later, when both are announced', async () => {
    const { seen, subscription } = await caughtUpSubscription('out-of-order');
    const slow = await writerPool.connect();
    try {
      await slow.query('BEGIN');
      await slow.query('SELECT pg_current_xact_id()');
      const fast = await writer.append(uniqueStream(), [planRequested()]);
      const late = planRequested();
      const stream = uniqueStream();
      await slow.query(`SELECT * FROM ${pg.escapeIdentifier(db.schema)}.append_events($1, 'acme', 'any', $2::uuid[], $3::text[], $4::text[])`, [
        stream,
        [late.eventId],
        [late.type],
        [canonicalContent({ ...late, streamId: stream })],
      ]);
      await slow.query('COMMIT');
      await subscription.waitFor(fast.position, deliveredWithinMs);
      // The older transaction's event sorts first, though it committed last.
      expect(seen.slice(-2)).toEqual([late.eventId, expect.any(String)]);
    } finally {
      slow.release();
    }
  });

  it('listens again after its connection is lost', async () => {
    const { seen, subscription } = await caughtUpSubscription('reconnect');
    const [lost] = await listeners();
    expect(lost).toBeDefined();
    await db.pool.query('SELECT pg_terminate_backend($1)', [lost]);
    await waitFor('the listener to be back', async () => {
      const pids = await listeners();
      return pids.length === 1 && pids[0] !== lost;
    });
    expect(listenErrors.length).toBeGreaterThan(0);

    const event = planRequested();
    const { position } = await writer.append(uniqueStream(), [event]);
    await subscription.waitFor(position, deliveredWithinMs);
    expect(seen.at(-1)).toBe(event.eventId);
  });

  it('releases its listening connection when closed', async () => {
    const store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs });
    const subscription = store.subscribeToAll({ subscriptionId: 'closing', handle: async () => undefined });
    const before = await listeners();
    await waitFor('its listener', async () => (await listeners()).length === before.length + 1);
    await subscription.stop();
    await store.close();
    await waitFor('only the reader listening again', async () => (await listeners()).length === before.length);
  });
});
