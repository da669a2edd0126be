import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, planRequestedBatch, uniqueStream, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource, type EntityManager } from 'typeorm';
import type { Projection } from './projection.js';
import { ProjectionRunner, type RebuildProgress } from './projection-runner.js';

/** Plan attempts per stream: the smallest read model that shows ordering and replay. */
function planAttempts(schema: string, failOn?: { attempt: number; times: number }): Projection {
  const table = `"${schema}".plan_attempts`;
  return {
    name: 'plan-attempts',
    version: 1,
    setUp: async (m) => void (await m.query(`CREATE TABLE IF NOT EXISTS ${table} (stream_id text PRIMARY KEY, attempts int NOT NULL, last_version int NOT NULL)`)),
    reset: async (m) => void (await m.query(`TRUNCATE ${table}`)),
    apply: async (event: EventEnvelope, m: EntityManager) => {
      if (event.type !== 'PlanRequested') return;
      const { attempt } = event.data as { attempt: number };
      if (failOn && attempt === failOn.attempt && failOn.times-- > 0) throw new Error('read model database went away');
      await m.query(
        `INSERT INTO ${table} (stream_id, attempts, last_version) VALUES ($1, 1, $2)
         ON CONFLICT (stream_id) DO UPDATE SET attempts = ${table}.attempts + 1, last_version = excluded.last_version`,
        [event.streamId, event.streamVersion],
      );
    },
  };
}

describe('projections', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestSchema('projections');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 4 }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  const rows = async () =>
    Object.fromEntries(
      ((await dataSource.query(`SELECT stream_id, attempts, last_version FROM "${db.schema}".plan_attempts ORDER BY stream_id`)) as { stream_id: string; attempts: number; last_version: number }[]).map(
        (r) => [r.stream_id, [r.attempts, r.last_version]],
      ),
    );

  it('builds rows and checkpoint in one transaction, retrying a failed batch without double counting', async () => {
    const [a, b] = [uniqueStream(), uniqueStream()];
    await store.append(a, planRequestedBatch(3));
    await store.append(b, planRequestedBatch(2));
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(planAttempts(db.schema, { attempt: 3, times: 2 }), {
      store,
      dataSource,
      schema: db.schema,
      batchSize: 10,
      onError: (error) => errors.push(error),
    });
    const subscription = await runner.start();
    await subscription.waitFor((await store.lastPosition())!);
    expect(await rows()).toEqual({ [a]: [3, 2], [b]: [2, 1] });

    const more = await store.append(a, planRequestedBatch(1));
    await subscription.waitFor(more.position);
    expect((await rows())[a]).toEqual([4, 3]);
    await runner.stop();
    // The batch failed twice part-way (after applying earlier events) and was applied whole on the third try.
    expect(errors).toHaveLength(2);
  });

  it('rebuilds from the log with progress, ending with the same rows', async () => {
    const runner = new ProjectionRunner(planAttempts(db.schema), { store, dataSource, schema: db.schema, batchSize: 2 });
    await (await runner.start()).waitFor((await store.lastPosition())!);
    const before = await rows();
    await dataSource.query(`UPDATE "${db.schema}".plan_attempts SET attempts = 999`); // a damaged read model

    const progress: RebuildProgress[] = [];
    const done = await runner.rebuild((p) => progress.push(p));
    await runner.stop();
    expect(await rows()).toEqual(before);
    expect(done.eventsApplied).toBeGreaterThanOrEqual(6);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.map((p) => p.eventsApplied)).toEqual([...progress.map((p) => p.eventsApplied)].sort((x, y) => x - y));
  });

  it('starts from several processes at once', async () => {
    const schema = `${db.schema}_concurrent`;
    await dataSource.query(`CREATE SCHEMA "${schema}"`);
    const runners = Array.from({ length: 3 }, () => new ProjectionRunner({ ...planAttempts(db.schema), name: 'concurrent' }, { store, dataSource, schema }));
    await Promise.all(runners.map((r) => r.start()));
    await Promise.all(runners.map((r) => r.stop()));
    await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  });

  it('rebuilds by itself when the projection version changed', async () => {
    const v1 = new ProjectionRunner(planAttempts(db.schema), { store, dataSource, schema: db.schema });
    await (await v1.start()).waitFor((await store.lastPosition())!);
    await v1.stop();
    await dataSource.query(`UPDATE "${db.schema}".plan_attempts SET attempts = 0`);
    const v2 = new ProjectionRunner({ ...planAttempts(db.schema), version: 2 }, { store, dataSource, schema: db.schema });
    const subscription = await v2.start();
    await subscription.waitFor((await store.lastPosition())!);
    await waitFor('rows rebuilt', async () => Object.values(await rows()).every(([attempts]) => attempts! > 0));
    await v2.stop();
  });
});
