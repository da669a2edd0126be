import { migrateUnderLock } from '@agent-orchestrator/postgres';
import pg from 'pg';
import type { Queryable } from '../api-keys/api-keys.js';

export const tenantStatuses = ['active', 'suspended', 'deleted'] as const;
export type TenantStatus = (typeof tenantStatuses)[number];

/** A tenant as the platform admin sees it. */
export interface Tenant {
  readonly tenantId: string;
  readonly name: string;
  readonly status: TenantStatus;
  readonly createdAt: string;
  readonly suspendedAt: string | null;
  readonly suspendedReason: string | null;
  readonly deletedAt: string | null;
  /** Until when a deleted tenant's data and id are kept. */
  readonly retainUntil: string | null;
}

interface TenantRow {
  tenant_id: string;
  name: string;
  status: TenantStatus;
  created_at: Date;
  suspended_at: Date | null;
  suspended_reason: string | null;
  deleted_at: Date | null;
  retain_until: Date | null;
}

const columns = 'tenant_id, name, status, created_at, suspended_at, suspended_reason, deleted_at, retain_until';

function tenantOf(row: TenantRow): Tenant {
  return {
    tenantId: row.tenant_id,
    name: row.name,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    suspendedAt: row.suspended_at?.toISOString() ?? null,
    suspendedReason: row.suspended_reason,
    deletedAt: row.deleted_at?.toISOString() ?? null,
    retainUntil: row.retain_until?.toISOString() ?? null,
  };
}

/** The change a status transition makes to a tenant's row. */
export type StatusChange =
  | { readonly status: 'active' }
  | { readonly status: 'suspended'; readonly at: Date; readonly reason: string | null }
  | { readonly status: 'deleted'; readonly at: Date; readonly retainUntil: Date };

/**
 * `<schema>.tenants`: the platform's tenants, one row each, beside the gateway's api_keys. Not a
 * tenant's data (the platform admin reads it), so it carries no tenant's row-level policy.
 */
export class TenantStore {
  private readonly table: string;
  private readonly apiKeysTable: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.tenants`;
    this.apiKeysTable = `${pg.escapeIdentifier(schema)}.api_keys`;
  }

  /** Creates the table if missing. Run after the api_keys table exists. */
  async migrate(): Promise<void> {
    await migrateUnderLock(this.pool, `gateway-tenants:${this.schema}`, async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        tenant_id        text PRIMARY KEY,
        name             text NOT NULL,
        status           text NOT NULL CHECK (status IN ('active', 'suspended', 'deleted')),
        created_at       timestamptz NOT NULL DEFAULT now(),
        suspended_at     timestamptz,
        suspended_reason text,
        deleted_at       timestamptz,
        retain_until     timestamptz,
        CHECK ((status = 'suspended') = (suspended_at IS NOT NULL)),
        CHECK ((status = 'deleted') = (deleted_at IS NOT NULL AND retain_until IS NOT NULL)))`);
    });
  }

  /**
   * Every tenant that has API keys but no row becomes an active tenant named after its id: a
   * deployment from before tenants existed (its bootstrap tenant, e.g. `demo`) keeps working,
   * and GET /v1/tenants lists it. Idempotent; run at every start, after the bootstrap key.
   */
  async adoptTenantsWithKeys(): Promise<string[]> {
    const adopted = await this.pool.query<{ tenant_id: string }>(
      `INSERT INTO ${this.table} (tenant_id, name, status)
       SELECT DISTINCT tenant_id, tenant_id, 'active' FROM ${this.apiKeysTable}
       ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id`,
    );
    return adopted.rows.map((row) => row.tenant_id).sort();
  }

  /**
   * A new active tenant, or undefined when the id is taken: by a live tenant, or by a deleted one
   * whose retention has not ended. After it ends the id may be used again.
   */
  async insert(db: Queryable, tenantId: string, name: string, at: Date): Promise<Tenant | undefined> {
    const inserted = await db.query<TenantRow>(
      `INSERT INTO ${this.table} AS t (tenant_id, name, status, created_at) VALUES ($1, $2, 'active', $3)
       ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name, status = 'active', created_at = excluded.created_at,
         suspended_at = NULL, suspended_reason = NULL, deleted_at = NULL, retain_until = NULL
       WHERE t.status = 'deleted' AND t.retain_until <= excluded.created_at
       RETURNING ${columns}`,
      [tenantId, name, at],
    );
    return inserted.rows[0] && tenantOf(inserted.rows[0]);
  }

  async get(tenantId: string, db: Queryable = this.pool): Promise<Tenant | undefined> {
    const found = await db.query<TenantRow>(`SELECT ${columns} FROM ${this.table} WHERE tenant_id = $1`, [tenantId]);
    return found.rows[0] && tenantOf(found.rows[0]);
  }

  /** The tenant, its row locked until the transaction ends, so status changes are decided one at a time. */
  async lock(db: Queryable, tenantId: string): Promise<Tenant | undefined> {
    const found = await db.query<TenantRow>(`SELECT ${columns} FROM ${this.table} WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
    return found.rows[0] && tenantOf(found.rows[0]);
  }

  async list(): Promise<Tenant[]> {
    return (await this.pool.query<TenantRow>(`SELECT ${columns} FROM ${this.table} ORDER BY tenant_id`)).rows.map(tenantOf);
  }

  async setStatus(db: Queryable, tenantId: string, change: StatusChange): Promise<Tenant> {
    const suspended = change.status === 'suspended' ? [change.at, change.reason] : [null, null];
    const deleted = change.status === 'deleted' ? [change.at, change.retainUntil] : [null, null];
    const updated = await db.query<TenantRow>(
      `UPDATE ${this.table} SET status = $2, suspended_at = $3, suspended_reason = $4, deleted_at = $5, retain_until = $6
       WHERE tenant_id = $1 RETURNING ${columns}`,
      [tenantId, change.status, ...suspended, ...deleted],
    );
    if (!updated.rows[0]) throw new Error(`tenant ${tenantId} vanished while its row was locked`);
    return tenantOf(updated.rows[0]);
  }
}
