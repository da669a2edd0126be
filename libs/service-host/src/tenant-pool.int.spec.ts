import { randomBytes } from 'node:crypto';
import { AppRoleError, inTransaction, isolateByTenant, withTenant } from '@agent-orchestrator/postgres';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { pino } from 'pino';
import { parsePlatformConfig } from './platform-config.js';
import { openTenantPool } from './platform.js';

/**
 * APP_DATABASE_URL: in production the services' tenant-scoped queries log in as a role of their
 * own. Trust authentication lets the spec make such roles and connect as them without a password.
 */
describe('the application role of APP_DATABASE_URL', () => {
  let db: TestSchema;
  const logger = pino({ level: 'silent' });
  const madeRoles: string[] = [];

  /** A login role made for this spec, dropped with everything granted to it afterwards. */
  const loginRole = async (attributes: string): Promise<{ name: string; url: string }> => {
    const name = `ao_spec_${randomBytes(4).toString('hex')}`;
    await db.pool.query(`CREATE ROLE ${name} LOGIN ${attributes}`);
    madeRoles.push(name);
    const url = new URL(db.connectionString);
    url.username = name;
    url.password = '';
    return { name, url: url.toString() };
  };
  const configWith = (env: Record<string, string>) => parsePlatformConfig({ DATABASE_URL: db.connectionString, KAFKA_BROKERS: '127.0.0.1:1', ...env }, 'spec');

  beforeAll(async () => {
    db = await createTestSchema('app_role');
  });
  afterAll(async () => {
    for (const role of madeRoles) await db.pool.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    await db.dispose();
  });

  it('connects the tenant pool as that login role, under the tables’ policies', async () => {
    const role = await loginRole('NOSUPERUSER NOBYPASSRLS NOINHERIT');
    const { appRole, tenantPool } = await openTenantPool(db.pool, configWith({ APP_DATABASE_URL: role.url }), { max: 2, logger });
    try {
      expect(appRole).toMatchObject({ name: role.name, variable: 'APP_DATABASE_URL', connection: { connectionString: role.url } });
      const table = `${pg.escapeIdentifier(db.schema)}.accounts`;
      await db.pool.query(`CREATE TABLE ${table} (tenant_id text NOT NULL, name text NOT NULL); INSERT INTO ${table} VALUES ('acme', 'a'), ('globex', 'g')`);
      await inTransaction(db.pool, (client) => isolateByTenant(client, table, { appRole: appRole.name, privileges: ['SELECT'] }));
      const seen = await withTenant(tenantPool, 'globex', async (client) => ({
        user: (await client.query('SELECT current_user AS name, session_user AS login')).rows[0],
        rows: (await client.query(`SELECT * FROM ${table}`)).rows,
      }));
      expect(seen).toEqual({ user: { name: role.name, login: role.name }, rows: [{ tenant_id: 'globex', name: 'g' }] });
    } finally {
      await tenantPool.end();
    }
  });

  it.each([
    ['a BYPASSRLS role', 'NOSUPERUSER BYPASSRLS', /^APP_DATABASE_URL: the application role "ao_spec_\w+" has BYPASSRLS, and row-level security does not hold for it; ALTER ROLE "ao_spec_\w+" NOBYPASSRLS/],
    ['a superuser', 'SUPERUSER', /^APP_DATABASE_URL: the application role "ao_spec_\w+" is a superuser, and row-level security does not hold for it/],
  ])('refuses %s, naming the variable, the reason and the fix', async (_what, attributes, message) => {
    const role = await loginRole(attributes);
    const refused = openTenantPool(db.pool, configWith({ APP_DATABASE_URL: role.url }), { max: 1, logger });
    await expect(refused).rejects.toBeInstanceOf(AppRoleError);
    await expect(refused).rejects.toThrow(message);
  });

  it('refuses a role that owns a table, or may act as its owner', async () => {
    const owner = await loginRole('NOSUPERUSER NOBYPASSRLS');
    await db.pool.query(`CREATE TABLE ${pg.escapeIdentifier(db.schema)}.owned (tenant_id text); ALTER TABLE ${pg.escapeIdentifier(db.schema)}.owned OWNER TO ${owner.name}`);
    await expect(openTenantPool(db.pool, configWith({ APP_DATABASE_URL: owner.url }), { max: 1, logger })).rejects.toThrow(
      new RegExp(`^APP_DATABASE_URL: the application role "${owner.name}" owns \\(or is a member of a role that owns\\) ${db.schema}\\.owned`),
    );
    const member = await loginRole('NOSUPERUSER NOBYPASSRLS NOINHERIT');
    await db.pool.query(`GRANT ${owner.name} TO ${member.name}`);
    await expect(openTenantPool(db.pool, configWith({ APP_DATABASE_URL: member.url }), { max: 1, logger })).rejects.toThrow(/owns \(or is a member of a role that owns\)/);
  });

  it('refuses the migration role itself, and says when it cannot log in at all', async () => {
    const migrations = await loginRole('NOSUPERUSER NOBYPASSRLS CREATEROLE');
    const asMigrations = new URL(db.connectionString);
    asMigrations.username = migrations.name;
    const pool = new pg.Pool({ connectionString: asMigrations.toString(), max: 1 });
    try {
      await expect(openTenantPool(pool, configWith({ DATABASE_URL: asMigrations.toString(), APP_DATABASE_URL: asMigrations.toString() }), { max: 1, logger })).rejects.toThrow(
        `APP_DATABASE_URL: the application role "${migrations.name}" is, or is a member of, the migration role "${migrations.name}" (DATABASE_URL), which owns the tables`,
      );
    } finally {
      await pool.end();
    }
    const nobody = new URL(db.connectionString);
    nobody.username = `ao_spec_missing_${randomBytes(3).toString('hex')}`;
    await expect(openTenantPool(db.pool, configWith({ APP_DATABASE_URL: nobody.toString() }), { max: 1, logger })).rejects.toThrow(/^APP_DATABASE_URL: could not connect as the application role: .*does not exist/);
  });

  it('without APP_DATABASE_URL, refuses a DATABASE_APP_ROLE someone gave BYPASSRLS, naming that variable', async () => {
    const role = await loginRole('NOSUPERUSER BYPASSRLS');
    await expect(openTenantPool(db.pool, configWith({ DATABASE_APP_ROLE: role.name }), { max: 1, logger })).rejects.toThrow(new RegExp(`^DATABASE_APP_ROLE: the application role "${role.name}" has BYPASSRLS`));
  });

  it('without APP_DATABASE_URL, makes the role when it is missing and switches every connection to it', async () => {
    const name = `ao_spec_${randomBytes(4).toString('hex')}`;
    madeRoles.push(name);
    const { appRole, tenantPool } = await openTenantPool(db.pool, configWith({ DATABASE_APP_ROLE: name }), { max: 1, logger });
    try {
      expect(appRole).toMatchObject({ name, variable: 'DATABASE_APP_ROLE', connection: { connectionString: db.connectionString, options: `-c role=${name}` } });
      expect((await tenantPool.query('SELECT current_user AS name')).rows).toEqual([{ name }]);
      const [made] = (await db.pool.query(`SELECT rolcanlogin, rolsuper, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = $1`, [name])).rows;
      expect(made).toEqual({ rolcanlogin: false, rolsuper: false, rolbypassrls: false, rolinherit: false });
    } finally {
      await tenantPool.end();
    }
  });
});
