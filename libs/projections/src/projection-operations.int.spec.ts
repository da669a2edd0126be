import { randomUUID } from 'node:crypto';
import type { EventEnvelope, ProjectionCommand } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, planRequested, planRequestedBatch, uniqueStream, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource, type EntityManager } from 'typeorm';
import type { Projection } from './projection.js';
import { ProjectionOperations } from './projection-operations.js';
import { ProjectionRunner } from './projection-runner.js';
import { readProjectionStatuses, type ProjectionStatusRecord } from './projection-status.js';

/** Planners per stream; the CHECK refuses the planner `Poison` (a data error, quarantined). Declares its table, so it rebuilds in a shadow. */
function planners(schema: string, table: string, gate?: Promise<void>): Projection {
  const rows = `"${schema}".${table}`;
  return {
    name: table.replaceAll('_', '-'),
    version: 1,
    readModelTables: { schema, names: [table] },
    inSchema: (other) => planners(other, table),
    setUp: async (m) => {
      await m.query(`CREATE TABLE IF NOT EXISTS ${rows} (stream_id text PRIMARY KEY, planner text NOT NULL CONSTRAINT no_poison CHECK (planner <> 'Poison'), incomplete int NOT NULL DEFAULT 0)`);
    },
    reset: async (m) => void (await m.query(`TRUNCATE ${rows}`)),
    apply: async (event: EventEnvelope, m: EntityManager) => {
      if (event.type !== 'PlanRequested' || event.tenantId !== table) return;
      if ((event.data as { planner: string }).planner === 'Wait') await gate;
      await m.query(`INSERT INTO ${rows} (stream_id, planner) VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET planner = excluded.planner`, [event.streamId, (event.data as { planner: string }).planner]);
    },
    markIncomplete: async (event, m) => {
      if (event.tenantId !== table) return;
      await m.query(`INSERT INTO ${rows} (stream_id, planner, incomplete) VALUES ($1, '?', 1) ON CONFLICT (stream_id) DO UPDATE SET incomplete = ${rows}.incomplete + 1`, [event.streamId]);
    },
    markComplete: async (event, m) => void (await m.query(`UPDATE ${rows} SET incomplete = incomplete - 1 WHERE stream_id = $1`, [event.streamId])),
  };
}

describe('projection operations: status, rebuild and retry on command', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const limits = { stallAfterMs: 600, heartbeatStaleAfterMs: 600 };

  beforeAll(async () => {
    db = await createTestSchema('projection_operations');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 6 }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  const statusOf = async (projection: string): Promise<ProjectionStatusRecord> => (await readProjectionStatuses(db.pool, db.schema, limits, projection))[0]!;
  const appendPlanner = (tenantId: string, planner: string) => store.append(uniqueStream(), [planRequested({ tenantId, data: { planner, attempt: 1 } })]);
  const runnerFor = (table: string) => new ProjectionRunner(planners(db.schema, table), { store, dataSource, schema: db.schema, statusIntervalMs: 50, batchSize: 20, quarantine: { attempts: 2, windowMs: 50 } });

  it('reports caught-up, then stalled once its process stops while events keep coming', async () => {
    const runner = runnerFor('stopping');
    const appended = await appendPlanner('stopping', 'Planner');
    await (await runner.start()).waitFor(appended.position);
    const caughtUp = await waitFor('caught up', async () => {
      const status = await statusOf('stopping');
      return status.state === 'caught-up' && status.lag === 0 && status;
    });
    expect(caughtUp).toMatchObject({ version: 1, quarantined: 0, lagCapped: false });
    expect(caughtUp.lastAdvanceAt).toBeInstanceOf(Date);

    await runner.stop();
    for (let i = 0; i < 5; i++) await appendPlanner('stopping', 'Planner');
    // The last row written says caught-up; its heartbeat going stale says otherwise.
    const stalled = await waitFor('reported stalled', async () => {
      const status = await statusOf('stopping');
      return status.state === 'stalled' && status;
    });
    expect(Date.now() - stalled.heartbeatAt.getTime()).toBeGreaterThan(limits.heartbeatStaleAfterMs);
  });

  it('reports a live runner that cannot advance as stalled, with its lag, and caught-up again once it moves', async () => {
    // Applying the planner `Wait` waits for the gate: the runner is alive (reporting) and stuck.
    const gate = Promise.withResolvers<void>();
    const runner = new ProjectionRunner(planners(db.schema, 'blocked', gate.promise), { store, dataSource, schema: db.schema, statusIntervalMs: 50 });
    const appended = await appendPlanner('blocked', 'Planner');
    await (await runner.start()).waitFor(appended.position);
    await appendPlanner('blocked', 'Wait');
    const stalled = await waitFor('stalled while alive', async () => {
      const status = await statusOf('blocked');
      return status.state === 'stalled' && status;
    });
    expect(stalled.lag).toBeGreaterThanOrEqual(1);
    expect(Date.now() - stalled.heartbeatAt.getTime()).toBeLessThan(limits.heartbeatStaleAfterMs);
    gate.resolve();
    await waitFor('caught up again', async () => (await statusOf('blocked')).state === 'caught-up');
    await runner.stop();
  });

  it('rebuilds on a command into a shadow table, recording progress and the outcome once, a redelivery starting nothing', async () => {
    const runner = runnerFor('rebuilt');
    let appended = await store.append(uniqueStream(), planRequestedBatch(10, { tenantId: 'rebuilt' }));
    for (let i = 0; i < 5; i++) appended = await store.append(uniqueStream(), planRequestedBatch(10, { tenantId: 'rebuilt' }));
    // Waits for the last append itself: the log's visible end lags behind other transactions on a shared server.
    await (await runner.start()).waitFor(appended.position);
    const before = await dataSource.query(`SELECT stream_id, planner FROM "${db.schema}".rebuilt ORDER BY 1`);
    expect(before).toHaveLength(6);
    await dataSource.query(`UPDATE "${db.schema}".rebuilt SET planner = 'damaged'`);
    const operations = new ProjectionOperations([runner], { dataSource, schema: db.schema, progressIntervalMs: 10 });
    const command = { type: 'RebuildProjection', operationId: randomUUID(), projection: 'rebuilt' } as const;

    expect(await operations.accept(command)).toBe('started');
    expect(await operations.accept({ ...command, operationId: randomUUID() })).toBe('busy');
    await operations.settled();
    const { operation } = await statusOf('rebuilt');
    expect(operation).toMatchObject({ operationId: command.operationId, kind: 'rebuild', status: 'succeeded', detail: expect.stringMatching(/^\d+ events applied$/) });
    expect(operation!.done).toBe(operation!.total);
    expect(operation!.done).toBeGreaterThanOrEqual(60);
    expect(await dataSource.query(`SELECT stream_id, planner FROM "${db.schema}".rebuilt ORDER BY 1`)).toEqual(before);
    expect(await operations.accept(command)).toBe('already-seen');
    expect(await operations.accept({ ...command, projection: 'nowhere' })).toBe('unknown-projection');
    // No shadow schema is left behind.
    expect((await db.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${db.schema}_rebuild_%`])).rows).toEqual([]);
    await runner.stop();
  });

  it('retries quarantined events on a command: what now applies leaves the quarantine, what is still refused stays', async () => {
    const runner = runnerFor('retried');
    await runner.start();
    await appendPlanner('retried', 'Poison');
    const last = await appendPlanner('retried', 'Poison');
    await waitFor('both quarantined', async () => (await runner.quarantined()).length === 2 && (await runner.status()).lag === 0);
    await runner.waitFor(last.position);
    await waitFor('the count reported', async () => (await statusOf('retried')).quarantined === 2);
    const [first] = await runner.quarantined();
    const operations = new ProjectionOperations([runner], { dataSource, schema: db.schema });

    // Still refused: both stay.
    const unfixed = { type: 'RetryQuarantinedEvents', operationId: randomUUID(), projection: 'retried' } as const;
    expect(await operations.accept(unfixed)).toBe('started');
    await operations.settled();
    expect((await statusOf('retried')).operation).toMatchObject({ operationId: unfixed.operationId, status: 'succeeded', done: 2, total: 2, detail: '0 applied, 2 still refused' });

    // The fix, then a retry of one of them: it applies, the other stays.
    await dataSource.query(`ALTER TABLE "${db.schema}".retried DROP CONSTRAINT no_poison`);
    const one: ProjectionCommand = { type: 'RetryQuarantinedEvents', operationId: randomUUID(), projection: 'retried', eventIds: [first!.eventId] };
    expect(await operations.accept(one)).toBe('started');
    await operations.settled();
    expect((await statusOf('retried')).operation).toMatchObject({ operationId: one.operationId, status: 'succeeded', done: 1, total: 1, detail: '1 applied, 0 still refused' });
    expect((await runner.quarantined()).map((record) => record.eventId)).not.toContain(first!.eventId);
    expect(await runner.quarantined()).toHaveLength(1);
    expect((await dataSource.query(`SELECT planner, incomplete FROM "${db.schema}".retried WHERE stream_id = $1`, [first!.streamId]))[0]).toEqual({ planner: 'Poison', incomplete: 0 });
    await waitFor('the count reported', async () => (await statusOf('retried')).quarantined === 1);
    await runner.stop();
  });
});
