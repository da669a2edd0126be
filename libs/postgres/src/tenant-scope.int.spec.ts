import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { defaultAppRole, resolveAppRole, type TenantDatabase } from './app-role.js';
import { isolateByTenant, withTenant, withTenantOn } from './tenant-scope.js';
import { inTransaction } from './transactions.js';

/**
 * Row-level security below the application: the queries here name no tenant in their WHERE
 * clauses (or name the wrong one), as a forgetful or hostile query would; only the tenant scope
 * decides what they see and change.
 */
/** The test server: the harness sets DATABASE_URL when it runs one of its own (libs/testing builds on this lib, so its helpers are not used here). */
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('the tenant scope and a table under isolation', () => {
  const db = { schema: `t_tenant_scope_${randomBytes(4).toString('hex')}`, pool: new pg.Pool({ connectionString: databaseUrl, max: 6 }) };
  let database: TenantDatabase;
  let notes: string;
  const everyPrivilege = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

  const bodies = (result: pg.QueryResult<{ body: string }>) => result.rows.map((row) => row.body).sort();
  const ownerSees = async (tenantId: string) => bodies(await db.pool.query(`SELECT body FROM ${notes} WHERE tenant_id = $1`, [tenantId]));

  beforeAll(async () => {
    await db.pool.query(`CREATE SCHEMA ${pg.escapeIdentifier(db.schema)}`);
    const appRole = await resolveAppRole(db.pool, { databaseUrl, appRole: defaultAppRole });
    database = { pool: db.pool, tenantPool: new pg.Pool({ ...appRole.connection, max: 4 }), appRole };
    notes = `${pg.escapeIdentifier(db.schema)}.notes`;
    await db.pool.query(`CREATE TABLE ${notes} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id text NOT NULL, body text NOT NULL)`);
    await inTransaction(db.pool, (client) => isolateByTenant(client, notes, { appRole: database.appRole.name, privileges: everyPrivilege }));
    await db.pool.query(`INSERT INTO ${notes} (tenant_id, body) VALUES ('acme', 'acme 1'), ('acme', 'acme 2'), ('globex', 'globex 1')`);
  });
  afterAll(async () => {
    await db.pool.query(`DROP SCHEMA ${pg.escapeIdentifier(db.schema)} CASCADE`);
    await database?.tenantPool.end();
    await db.pool.end();
  });

  it('shows no rows, and accepts none, to a query outside any tenant scope: it fails closed', async () => {
    expect((await database.tenantPool.query(`SELECT body FROM ${notes}`)).rows).toEqual([]);
    await expect(database.tenantPool.query(`INSERT INTO ${notes} (tenant_id, body) VALUES ('acme', 'unscoped')`)).rejects.toMatchObject({
      code: '42501',
      message: expect.stringContaining('row-level security'),
    });
    expect(await ownerSees('acme')).toEqual(['acme 1', 'acme 2']);
  });

  it("hides tenant A's rows from SELECT, UPDATE and DELETE with tenant B set, whatever the WHERE clause says", async () => {
    await withTenant(database.tenantPool, 'globex', async (client) => {
      expect(bodies(await client.query(`SELECT body FROM ${notes}`))).toEqual(['globex 1']);
      expect((await client.query(`SELECT body FROM ${notes} WHERE tenant_id = 'acme'`)).rows).toEqual([]);
      expect((await client.query(`UPDATE ${notes} SET body = 'overwritten' WHERE tenant_id = 'acme'`)).rowCount).toBe(0);
      expect((await client.query(`DELETE FROM ${notes} WHERE tenant_id = 'acme'`)).rowCount).toBe(0);
    });
    expect(await ownerSees('acme')).toEqual(['acme 1', 'acme 2']);
  });

  it("refuses to write a row for tenant A with tenant B set, by INSERT or by moving B's row over", async () => {
    await expect(withTenant(database.tenantPool, 'globex', (client) => client.query(`INSERT INTO ${notes} (tenant_id, body) VALUES ('acme', 'planted')`))).rejects.toMatchObject({
      code: '42501',
      message: expect.stringContaining('new row violates row-level security policy'),
    });
    await expect(withTenant(database.tenantPool, 'globex', (client) => client.query(`UPDATE ${notes} SET tenant_id = 'acme' WHERE body = 'globex 1'`))).rejects.toMatchObject({ code: '42501' });
    expect(await ownerSees('acme')).toEqual(['acme 1', 'acme 2']);
    expect(await ownerSees('globex')).toEqual(['globex 1']);
    // Its own rows, B writes as usual.
    await withTenant(database.tenantPool, 'globex', (client) => client.query(`INSERT INTO ${notes} (tenant_id, body) VALUES ('globex', 'globex 2')`));
    expect(await ownerSees('globex')).toEqual(['globex 1', 'globex 2']);
  });

  it('never carries a tenant into the next transaction: A, then B, then A through one pooled connection', async () => {
    const single = new pg.Pool({ ...database.appRole.connection, max: 1 });
    try {
      const turn = (tenantId: string) =>
        withTenant(single, tenantId, async (client) => ({
          backend: (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
          bodies: bodies(await client.query(`SELECT body FROM ${notes}`)).filter((body) => body.endsWith('1') || body.endsWith('2')),
        }));
      const first = await turn('acme');
      const second = await turn('globex');
      const between = await single.query(`SELECT body FROM ${notes}`);
      const third = await turn('acme');
      expect(new Set([first.backend, second.backend, third.backend]).size).toBe(1);
      expect(first.bodies).toEqual(['acme 1', 'acme 2']);
      expect(second.bodies.every((body) => body.startsWith('globex'))).toBe(true);
      expect(between.rows).toEqual([]);
      expect(third.bodies).toEqual(['acme 1', 'acme 2']);
      // A scope that fails is rolled back, and leaves no tenant behind either.
      await expect(withTenant(single, 'acme', async () => Promise.reject(new Error('the handler failed')))).rejects.toThrow('the handler failed');
      expect((await single.query(`SELECT body FROM ${notes}`)).rows).toEqual([]);
    } finally {
      await single.end();
    }
  });

  it("acts as the application role inside the migration role's transaction for a tenant's rows, and returns to the owner after", async () => {
    const seen = await inTransaction(db.pool, async (client) => {
      const scoped = await withTenantOn(client, database.appRole.name, 'globex', async (asApp) => ({
        user: (await asApp.query('SELECT current_user AS name')).rows[0],
        bodies: bodies(await asApp.query(`SELECT body FROM ${notes}`)).filter((body) => body.endsWith('1') || body.endsWith('2')),
      }));
      const after = (await client.query('SELECT current_user AS name')).rows[0];
      const ofAcme = bodies(await client.query(`SELECT body FROM ${notes} WHERE tenant_id = 'acme'`));
      return { scoped, after, ofAcme };
    });
    expect(seen.scoped.user).toEqual({ name: database.appRole.name });
    expect(seen.scoped.bodies.every((body) => body.startsWith('globex'))).toBe(true);
    expect(seen.after).not.toEqual({ name: database.appRole.name });
    expect(seen.ofAcme).toEqual(['acme 1', 'acme 2']);
    await expect(
      inTransaction(db.pool, (client) => withTenantOn(client, database.appRole.name, 'globex', (asApp) => asApp.query(`INSERT INTO ${notes} (tenant_id, body) VALUES ('acme', 'planted')`))),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('refuses an empty tenant id rather than reading it as "no tenant"', async () => {
    await expect(withTenant(database.tenantPool, '', async () => 'ran')).rejects.toThrow(/needs a tenant id/);
  });

  it('runs as a role that is neither superuser nor BYPASSRLS nor owner, whatever the connection is told to reset', async () => {
    const [role] = (
      await db.pool.query<{ rolsuper: boolean; rolbypassrls: boolean; owns: boolean }>(
        `SELECT r.rolsuper, r.rolbypassrls, pg_has_role(r.oid, c.relowner, 'MEMBER') AS owns FROM pg_roles r, pg_class c WHERE r.rolname = $1 AND c.oid = $2::regclass`,
        [database.appRole.name, notes],
      )
    ).rows;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owns: false });
    const client = await database.tenantPool.connect();
    try {
      expect((await client.query('SELECT current_user AS name')).rows[0]).toEqual({ name: database.appRole.name });
      // The role is the connection's default, not a SET a pool's reset would undo.
      await client.query('RESET ROLE');
      await client.query('DISCARD ALL');
      expect((await client.query('SELECT current_user AS name')).rows[0]).toEqual({ name: database.appRole.name });
      expect((await client.query(`SELECT body FROM ${notes}`)).rows).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('is idempotent, and safe to run from two processes at once on tables of one schema', async () => {
    // A schema of its own, so its USAGE grant is still to be made when both migrations look.
    const schema = pg.escapeIdentifier(`${db.schema}_grants`);
    const [first, second] = [`${schema}.first`, `${schema}.second`];
    await db.pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${first} (tenant_id text NOT NULL); CREATE TABLE ${second} (tenant_id text NOT NULL)`);
    const isolate = (client: pg.ClientBase, table: string) => isolateByTenant(client, table, { appRole: database.appRole.name, privileges: ['SELECT'] });
    const holding = await db.pool.connect();
    try {
      // The first migration grants and has not committed when the second one gets there: two
      // GRANTs on one schema would fail the later with "tuple concurrently updated".
      await holding.query('BEGIN');
      await isolate(holding, first);
      const later = inTransaction(db.pool, (client) => isolate(client, second));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holding.query('COMMIT');
      await later;
    } finally {
      holding.release();
    }
    await inTransaction(db.pool, (client) => isolate(client, first));
    const { rows } = await db.pool.query<{ policies: number; enabled: boolean; readable: boolean }>(
      `SELECT count(p.polname)::int AS policies, bool_and(c.relrowsecurity) AS enabled, has_table_privilege($2, c.oid, 'SELECT') AS readable
         FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid WHERE c.relnamespace = $1::regnamespace GROUP BY c.oid`,
      [`${db.schema}_grants`, database.appRole.name],
    );
    expect(rows).toEqual([
      { policies: 1, enabled: true, readable: true },
      { policies: 1, enabled: true, readable: true },
    ]);
    await db.pool.query(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('leaves a table isolated without a role closed to the application role, and names a table that is not there', async () => {
    const closed = `${pg.escapeIdentifier(db.schema)}.platform_only`;
    await db.pool.query(`CREATE TABLE ${closed} (tenant_id text NOT NULL)`);
    await inTransaction(db.pool, (client) => isolateByTenant(client, closed));
    await expect(withTenant(database.tenantPool, 'acme', (client) => client.query(`SELECT * FROM ${closed}`))).rejects.toMatchObject({ code: '42501' });
    await expect(inTransaction(db.pool, (client) => isolateByTenant(client, `${pg.escapeIdentifier(db.schema)}.missing`))).rejects.toThrow(/missing under row-level security: there is no such table/);
  });
});
