import type { GlobalPosition } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { TenantDatabase } from '@agent-orchestrator/postgres';
import { withTenant } from '@agent-orchestrator/postgres';
import { ProjectionRunner, type RebuildProgress } from '@agent-orchestrator/projections';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource } from 'typeorm';
import { planStep, SessionHistory, usage } from './session-history.js';
import { SessionsProjection } from './sessions-projection.js';
import { sessionsTables } from './sessions-tables.js';

/** What a reader sees of the sessions that existed before the rebuild, in one statement. */
interface Seen {
  readonly existing: number;
  readonly damaged: number;
}

describe('sessions read model: rebuild under live traffic', () => {
  let db: TestSchema;
  let tenants: TenantDatabase;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  const seeded: SessionHistory[] = [];

  beforeAll(async () => {
    db = await createTestSchema('sessions_rebuild', 12);
    tenants = await db.tenantDatabase();
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 6 }).initialize();
    runner = new ProjectionRunner(new SessionsProjection(sessionsTables(db.schema), tenants.appRole.name), { store, dataSource, schema: db.schema, batchSize: 100, rebuildBatchSize: 200, statusIntervalMs: 100 });
  });
  afterAll(async () => {
    await runner.stop();
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  const market = planStep('research-market', 'Researcher');
  const brief = planStep('write-brief', 'Executor', ['research-market']);
  /** A session of tenant acme: started, planned, a step done, one scheduled (five events). */
  async function appendSession(): Promise<{ history: SessionHistory; position: GlobalPosition }> {
    const history = new SessionHistory('acme', '2026-11-01T09:00:00.000Z');
    const { position } = await store.append(history.streamId, [...history.begun('Write a market brief'), history.planProposed([market, brief]), history.scheduled(market), history.completed(market, usage(100, 20, 0.01))]);
    return { history, position };
  }
  const catalogOf = async (table: string) => ({
    indexes: (await db.pool.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1`, [db.schema, table])).rows.map((row) => row.indexname),
    policies: (await db.pool.query(`SELECT policyname, qual FROM pg_policies WHERE schemaname = $1 AND tablename = $2`, [db.schema, table])).rows,
    rowSecurity: (await db.pool.query(`SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass($1)`, [`"${db.schema}".${table}`])).rows[0]?.relrowsecurity,
    appRoleMay: (await db.pool.query(`SELECT has_table_privilege($1, $2, 'SELECT') AS select, has_table_privilege($1, $2, 'INSERT') AS insert`, [tenants.appRole.name, `"${db.schema}".${table}`])).rows[0],
  });
  const everyRow = async (schema: string) => ({
    sessions: await db.pool.query(`SELECT * FROM "${schema}".sessions ORDER BY session_id`).then((result) => result.rows),
    steps: await db.pool.query(`SELECT * FROM "${schema}".session_steps ORDER BY session_id, step_id`).then((result) => result.rows),
  });

  it('keeps serving the old model until the swap and the new one after, never half of one, with the same rows as a fresh build', async () => {
    let last: GlobalPosition | undefined;
    for (let i = 0; i < 300; i++) {
      const { history, position } = await appendSession();
      seeded.push(history);
      last = position;
    }
    await (await runner.start()).waitFor(last!);
    const catalogBefore = { sessions: await catalogOf('sessions'), steps: await catalogOf('session_steps') };
    // The old model is marked, so a reader can tell it from the new one: every existing row, or none.
    await db.pool.query(`UPDATE "${db.schema}".sessions SET goal = 'the old model'`);
    const existingIds = seeded.map((history) => history.sessionId);
    const sessions = `"${db.schema}".sessions`;

    // Readers: the gateway's way in (the application role, one tenant), as fast as they can, until the rebuild ends.
    const seen: Seen[] = [];
    let rebuilding = true;
    const reader = (async () => {
      while (rebuilding) {
        const [row] = await withTenant(tenants.tenantPool, 'acme', async (client) =>
          (await client.query(`SELECT count(*) FILTER (WHERE session_id = ANY($1))::int AS existing, count(*) FILTER (WHERE goal = 'the old model')::int AS damaged FROM ${sessions}`, [existingIds])).rows,
        );
        seen.push(row as Seen);
      }
    })();
    // Live traffic: new sessions keep coming, and the live runner keeps applying them, during the rebuild.
    const live: SessionHistory[] = [];
    const traffic = (async () => {
      while (rebuilding) {
        live.push((await appendSession()).history);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const progress: RebuildProgress[] = [];
    const done = await runner.rebuild((step) => progress.push(step));
    const seenDuringRebuild = seen.length;
    // A few more reads after the swap, then traffic stops.
    await waitFor('reads after the swap', () => seen.length >= seenDuringRebuild + 5);
    rebuilding = false;
    await Promise.all([reader, traffic]);

    expect(progress.length).toBeGreaterThan(5);
    expect(done.eventsApplied).toBeGreaterThanOrEqual(300 * 5);
    expect(live.length).toBeGreaterThan(0);
    // Every read saw all existing sessions, and either the whole old model or none of it; old first, new after.
    expect(seen.every((row) => row.existing === existingIds.length)).toBe(true);
    expect(seen.every((row) => row.damaged === 0 || row.damaged === existingIds.length)).toBe(true);
    const firstNew = seen.findIndex((row) => row.damaged === 0);
    expect(firstNew).toBeGreaterThan(0);
    expect(seen.slice(firstNew).every((row) => row.damaged === 0)).toBe(true);
    process.stdout.write(`rebuild of ${done.eventsApplied} events under traffic (${live.length} sessions appended meanwhile): ${firstNew} reads of the old model, ${seen.length - firstNew} of the new\n`);

    // The swapped-in tables carry the same indexes, policy and grants as the old ones.
    expect({ sessions: await catalogOf('sessions'), steps: await catalogOf('session_steps') }).toEqual(catalogBefore);
    expect(catalogBefore.sessions).toMatchObject({ rowSecurity: true, appRoleMay: { select: true, insert: false } });

    // Caught up with the traffic, the model equals a fresh build of the same log, row for row.
    await runner.waitFor((await store.lastPosition())!);
    const fresh = await createTestSchema('sessions_fresh');
    try {
      const freshSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: fresh.schema, poolSize: 2 }).initialize();
      const freshRunner = new ProjectionRunner(new SessionsProjection(sessionsTables(fresh.schema)), { store, dataSource: freshSource, schema: fresh.schema, batchSize: 500 });
      await (await freshRunner.start()).waitFor((await runner.status()).position!);
      await freshRunner.stop();
      await freshSource.destroy();
      const [rebuilt, built] = [await everyRow(db.schema), await everyRow(fresh.schema)];
      expect(rebuilt.sessions).toHaveLength(seeded.length + live.length);
      expect(rebuilt.sessions.length).toBe(built.sessions.length);
      expect(rebuilt.steps.length).toBe(built.steps.length);
      expect(rebuilt).toEqual(built);
    } finally {
      await fresh.dispose();
    }
  }, 120_000);
});
