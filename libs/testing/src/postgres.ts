import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const defaultTestDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? defaultTestDatabaseUrl;
}

export interface TestSchema {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly connectionString: string;
  /** Drops the schema and closes the pool. */
  dispose(): Promise<void>;
}

/** A fresh, empty schema for one spec file, so specs never share state and can run in parallel. */
export async function createTestSchema(label: string, poolSize = 10): Promise<TestSchema> {
  const connectionString = testDatabaseUrl();
  const schema = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString, max: poolSize });
  await pool.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  return {
    pool,
    schema,
    connectionString,
    async dispose() {
      await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await pool.end();
    },
  };
}
