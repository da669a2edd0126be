import { randomBytes } from 'node:crypto';
import { defaultAppRole, resolveAppRole, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';

export const defaultTestDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? defaultTestDatabaseUrl;
}

export interface TestSchema {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly connectionString: string;
  /**
   * `pool` as the migration role beside a pool of the application role (the default one, made if
   * missing, as dev mode does), for adapters whose tenant tables are under row-level security.
   * Opened on first use; closed by dispose.
   */
  tenantDatabase(): Promise<TenantDatabase>;
  /** Drops the schema and closes the pools. */
  dispose(): Promise<void>;
}

/**
 * `pool` (the migration role, at `connectionString`) beside a new pool of the default application
 * role, made if missing and switched to on each connection, as dev mode does. The caller ends both.
 */
export async function tenantDatabaseAt(pool: pg.Pool, connectionString: string, max = 4): Promise<TenantDatabase> {
  const appRole = await resolveAppRole(pool, { databaseUrl: connectionString, appRole: defaultAppRole });
  return { pool, tenantPool: new pg.Pool({ ...appRole.connection, max }), appRole };
}

/** A fresh, empty database on the test server, for specs that run the platform on its default schemas (dev mode). */
export async function createTestDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
  const name = `${label}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A fresh, empty schema for one spec file, so specs never share state and can run in parallel. */
export async function createTestSchema(label: string, poolSize = 10): Promise<TestSchema> {
  const connectionString = testDatabaseUrl();
  const schema = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString, max: poolSize });
  await pool.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  let tenants: Promise<TenantDatabase> | undefined;
  return {
    pool,
    schema,
    connectionString,
    tenantDatabase() {
      tenants ??= tenantDatabaseAt(pool, connectionString, poolSize);
      return tenants;
    },
    async dispose() {
      await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await (await tenants)?.tenantPool.end();
      await pool.end();
    },
  };
}
