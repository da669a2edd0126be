import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { AdminLog, adminActor } from './admin-log.js';

describe('AdminLog', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let log: AdminLog;
  let rows: string;
  const at = new Date('2026-11-28T09:00:00.000Z');

  beforeAll(async () => {
    db = await createTestSchema('gw_admin_log');
    store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    log = new AdminLog(db.pool, store, () => at);
    rows = `${pg.escapeIdentifier(db.schema)}.tenants_under_test`;
    await db.pool.query(`CREATE TABLE ${rows} (tenant_id text PRIMARY KEY)`);
  });
  afterAll(async () => {
    await store.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(`${db.schema}_events`)} CASCADE`);
    await db.dispose();
  });

  const rowExists = async (tenantId: string) => (await db.pool.query(`SELECT 1 FROM ${rows} WHERE tenant_id = $1`, [tenantId])).rowCount === 1;

  it('appends the actions to admin-<tenant> with the row, saying who acted and when', async () => {
    const actor = adminActor.platformAdmin('0b7c6a3e-5d1f-4c1e-9a1b-0000000002a0');
    await log.transaction(async (client) => {
      await client.query(`INSERT INTO ${rows} VALUES ('acme')`);
      await log.record(client, 'acme', actor, [{ type: 'TenantCreated', data: { name: 'Acme' } }, { type: 'TenantSuspended', data: {} }], { correlationId: 'req-1' });
    });
    expect(await rowExists('acme')).toBe(true);
    const events = await store.readStream('admin-acme');
    expect(events).toEqual([
      expect.objectContaining({ type: 'TenantCreated', tenantId: 'acme', actor, correlationId: 'req-1', occurredAt: at.toISOString(), data: { name: 'Acme' } }),
      expect.objectContaining({ type: 'TenantSuspended', tenantId: 'acme', actor, correlationId: 'req-1', data: {} }),
    ]);
  });

  it('keeps neither the row nor the events when the work throws after recording', async () => {
    const failed = log.transaction(async (client) => {
      await client.query(`INSERT INTO ${rows} VALUES ('globex')`);
      await log.record(client, 'globex', adminActor.apiKey('0b7c6a3e-5d1f-4c1e-9a1b-0000000002a1'), [{ type: 'TenantResumed', data: {} }]);
      throw new Error('the request failed after its event was recorded');
    });
    await expect(failed).rejects.toThrow('the request failed');
    expect(await rowExists('globex')).toBe(false);
    expect(await store.readStream('admin-globex')).toEqual([]);
  });

  it('refuses an action whose data breaks its schema, and the row goes with it', async () => {
    const refused = log.transaction(async (client) => {
      await client.query(`INSERT INTO ${rows} VALUES ('initech')`);
      await log.record(client, 'initech', adminActor.apiKey('0b7c6a3e-5d1f-4c1e-9a1b-0000000002a1'), [
        { type: 'ApiKeyCreated', data: { keyId: 'not-a-uuid', name: 'ci', roles: ['admin'], expiresAt: null } },
      ]);
    });
    await expect(refused).rejects.toMatchObject({ code: 'InvalidEvent', message: expect.stringContaining('keyId') });
    expect(await rowExists('initech')).toBe(false);
  });

  it('concurrent transactions on one tenant all commit, each in the chain once', async () => {
    const actor = adminActor.token('https://idp.example', 'alice');
    const writers = Array.from({ length: 12 }, (_, i) =>
      log.transaction(async (client) => {
        // A write before the append gives the transaction its id early, as a real table change does.
        await client.query(`INSERT INTO ${rows} VALUES ($1)`, [`hooli-${i}`]);
        await log.record(client, 'hooli', actor, [{ type: 'SecretSet', data: { name: `secret-${i}`, version: 1 } }]);
      }),
    );
    await Promise.all(writers);
    const events = await store.readStream('admin-hooli');
    expect(events.map((e) => (e.data as { name: string }).name).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `secret-${i}`).sort());
    expect(await store.verifyStream('admin-hooli')).toMatchObject({ ok: true, eventsChecked: 12 });
  });
});
