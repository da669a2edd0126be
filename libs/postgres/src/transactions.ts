import pg from 'pg';

/** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return transaction(pool, 'BEGIN', work);
}

/**
 * `inTransaction` whose first round trip is `begin`: BEGIN followed by statements that set the
 * transaction up (withTenant's tenant), sent as one simple query so they cost no extra round trip.
 */
export async function transaction<T>(pool: pg.Pool, begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs schema set-up in a transaction holding a transaction-scoped advisory lock named
 * `lockName`. Several processes starting at once would otherwise race in
 * `CREATE ... IF NOT EXISTS` and fail on the catalog's unique indexes.
 */
export function migrateUnderLock(pool: pg.Pool, lockName: string, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockName]);
    await work(client);
  });
}

/**
 * A service's tables: its schema, then each `CREATE … IF NOT EXISTS` statement, then `then` (e.g.
 * isolateByTenant), under the lock `lockName` (see migrateUnderLock).
 */
export function createInSchema(pool: pg.Pool, lockName: string, schema: string, statements: readonly string[], then?: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  return migrateUnderLock(pool, lockName, async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
    for (const statement of statements) await client.query(statement);
    await then?.(client);
  });
}
