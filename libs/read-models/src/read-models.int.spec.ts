import { randomUUID } from 'node:crypto';
import { setTenantSql, type TenantDatabase } from '@agent-orchestrator/postgres';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { openReadModels, type ReadModels } from './read-models.js';
import { SessionsProjection } from './sessions/sessions-projection.js';

/** The read models as the gateway opens them: the application role, each tenant's read in its scope. */
describe('read models served as the application role', () => {
  let db: TestSchema;
  let database: TenantDatabase;
  let owner: ReadModels;
  let reader: ReadModels;
  const ofAcme = randomUUID();
  const ofGlobex = randomUUID();

  beforeAll(async () => {
    db = await createTestSchema('read_models_app_role');
    database = await db.tenantDatabase();
    owner = await openReadModels({ url: db.connectionString, schema: db.schema, poolSize: 2 });
    await owner.dataSource.transaction((manager) => new SessionsProjection(owner.sessions, database.appRole.name).setUp(manager));
    for (const [sessionId, tenantId] of [
      [ofAcme, 'acme'],
      [ofGlobex, 'globex'],
    ]) {
      await db.pool.query(
        `INSERT INTO ${pg.escapeIdentifier(db.schema)}.sessions (session_id, tenant_id, status, goal, constraints, started_at, updated_at, last_stream_version) VALUES ($1, $2, 'running', 'a goal', '{}', now(), now(), 1)`,
        [sessionId, tenantId],
      );
    }
    reader = await openReadModels({ url: db.connectionString, schema: db.schema, poolSize: 2, asAppRole: database.appRole });
  });
  afterAll(async () => {
    await reader?.close();
    await owner?.close();
    await db.dispose();
  });

  it('connects as the application role, and reads a tenant its own sessions only', async () => {
    expect(await reader.dataSource.query('SELECT current_user AS name')).toEqual([{ name: database.appRole.name }]);
    expect((await reader.sessionQueries.getSession('acme', ofAcme))?.sessionId).toBe(ofAcme);
    expect(await reader.sessionQueries.getSession('globex', ofAcme)).toBeNull();
    expect((await reader.sessionQueries.listSessions('globex', { limit: 10 })).items.map((session) => session.sessionId)).toEqual([ofGlobex]);
  });

  it('shows a query without the WHERE clause only its scope’s rows, and one outside any scope nothing', async () => {
    const table = `${pg.escapeIdentifier(db.schema)}.sessions`;
    const inScope = await reader.dataSource.transaction(async (manager) => {
      await manager.query(setTenantSql, ['globex']);
      return manager.query(`SELECT session_id FROM ${table}`);
    });
    expect(inScope).toEqual([{ session_id: ofGlobex }]);
    expect(await reader.dataSource.query(`SELECT session_id FROM ${table}`)).toEqual([]);
    // The sweeps read across tenants: only as the owner.
    expect(await reader.sessionQueries.liveSessions(10)).toEqual([]);
    expect((await owner.sessionQueries.liveSessions(10)).map((session) => session.sessionId).sort()).toEqual([ofAcme, ofGlobex].sort());
  });
});
