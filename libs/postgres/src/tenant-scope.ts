import pg from 'pg';
import { transaction } from './transactions.js';

/**
 * The setting row-level security reads: the tenant of the transaction in hand. It is only ever set
 * transaction-locally (SET LOCAL semantics), so a pooled connection never carries one tenant into
 * the next transaction, whoever borrows it.
 */
export const tenantSetting = 'app.tenant_id';

/** Sets the transaction's tenant, for callers that hold their own transaction (TypeORM's): `$1` is the tenant id. */
export const setTenantSql = `SELECT set_config('${tenantSetting}', $1, true)`;

/**
 * The one policy of every tenant table: a row is visible, and may be written, only in a
 * transaction whose tenant is the row's. No tenant set (or the empty value PostgreSQL reverts a
 * transaction-local setting to) matches no row: a query that forgot withTenant fails closed.
 */
const tenantPolicy = { name: 'tenant_isolation', predicate: `tenant_id = NULLIF(current_setting('${tenantSetting}', true), '')` };

function checkedTenant(tenantId: string): string {
  if (tenantId === '') throw new Error('withTenant needs a tenant id; the empty one would read as "no tenant" and see nothing');
  return tenantId;
}

/**
 * Runs `work` in one transaction whose tenant is `tenantId`: on a pool of the application role,
 * every tenant table shows and accepts that tenant's rows only, whatever the SQL says. The tenant
 * travels in the BEGIN round trip (one simple query, the id quoted as a literal), so the scope
 * costs the COMMIT's round trip and no other.
 */
export async function withTenant<T>(pool: pg.Pool, tenantId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return transaction(pool, `BEGIN; SELECT set_config('${tenantSetting}', ${pg.escapeLiteral(checkedTenant(tenantId))}, true)`, work);
}

/**
 * Runs `work` inside the caller's transaction on `client`, a connection of the migration role, as
 * `appRole` with `tenantId` set, then returns the connection to the migration role for the rest
 * of the transaction. For a tenant's rows that must commit with something only the migration role
 * may write (an admin event in the log): those rows stay under their policy. The migration role
 * must be allowed to act as the application role (a superuser, or a member of it; resolveAppRole
 * sees to that).
 */
export async function withTenantOn<T>(client: pg.ClientBase, appRole: string, tenantId: string, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  await client.query(`SET LOCAL ROLE ${pg.escapeIdentifier(appRole)}; SELECT set_config('${tenantSetting}', ${pg.escapeLiteral(checkedTenant(tenantId))}, true)`);
  const result = await work(client);
  await client.query(`RESET ROLE; SELECT set_config('${tenantSetting}', '', true)`);
  return result;
}

/**
 * A tenant's statements on the caller's transaction when there is one (withTenantOn: they commit
 * with whatever else it holds, an admin event say), otherwise in a transaction of their own on the
 * application role's pool (withTenant). Either way under the tenant's policy.
 */
export function inTenantScope<T>(
  scope: { readonly tenantPool: pg.Pool; readonly appRole: string },
  tenantId: string,
  transaction: pg.ClientBase | undefined,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  return transaction ? withTenantOn(transaction, scope.appRole, tenantId, work) : withTenant(scope.tenantPool, tenantId, work);
}

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** What runs SQL in a migration: a pg client (rows under `rows`) or a TypeORM entity manager (rows as the result). */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

function rowsOf<Row>(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}

export interface TenantIsolation {
  /** The role the services' tenant-scoped queries run as; left out, the table stays closed to every role but its owner. */
  readonly appRole?: string;
  /** What that role may do on the table's rows (of the transaction's tenant); SELECT is needed by any RETURNING. */
  readonly privileges?: readonly TablePrivilege[];
}

/**
 * Puts `table` (a schema-qualified SQL name with a `tenant_id` column) under row-level security:
 * enabled, the tenant policy, and the privileges the application role needs (with USAGE on the
 * schema). The owner, the migration role, is not subject to the policy (no FORCE): projections and
 * platform jobs keep reading and writing every tenant's rows. Idempotent, and it writes the catalog
 * only for what is missing, so a start-up that finds everything in place takes no table lock. Run
 * it in the table's migration transaction, under that table's advisory lock.
 */
export async function isolateByTenant(db: Queryable, table: string, isolation: TenantIsolation = {}): Promise<void> {
  const [state] = rowsOf<{ schema: string; enabled: boolean; has_policy: boolean }>(
    await db.query(
      `SELECT n.nspname AS schema, c.relrowsecurity AS enabled, EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = $2) AS has_policy
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [table, tenantPolicy.name],
    ),
  );
  if (!state) throw new Error(`cannot put ${table} under row-level security: there is no such table (create it first)`);
  if (!state.enabled) await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  if (!state.has_policy) await db.query(`CREATE POLICY ${tenantPolicy.name} ON ${table} USING (${tenantPolicy.predicate}) WITH CHECK (${tenantPolicy.predicate})`);
  const { appRole, privileges = [] } = isolation;
  if (appRole === undefined || privileges.length === 0) return;
  // Concurrent GRANTs on one object fail ("tuple concurrently updated"); tables of one schema are
  // migrated under different locks, so the schema's grant takes its own.
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tenant-isolation-grants:${state.schema}`]);
  const [granted] = rowsOf<{ usage: boolean; missing: TablePrivilege[] }>(
    await db.query(
      `SELECT has_schema_privilege($1, $2, 'USAGE') AS usage,
              ARRAY(SELECT p FROM unnest($4::text[]) AS p WHERE NOT has_table_privilege($1, $3::regclass, p)) AS missing`,
      [appRole, state.schema, table, privileges],
    ),
  );
  const role = pg.escapeIdentifier(appRole);
  if (!granted?.usage) await db.query(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(state.schema)} TO ${role}`);
  if (granted && granted.missing.length > 0) await db.query(`GRANT ${granted.missing.join(', ')} ON ${table} TO ${role}`);
}
