import { isolateByTenant, migrateUnderLock, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Which request was first to use an Idempotency-Key, for the one case the log cannot tell:
 * two requests with the same key and body at once send the same command, so the session's first
 * event names neither. The one whose claim is written answers as the original; any other waits
 * for the session and answers as a replay. The log stays the record of the session itself.
 */
export class IdempotencyClaims {
  private readonly table: string;

  constructor(
    private readonly database: TenantDatabase,
    private readonly schema: string,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.idempotency_claims`;
  }

  async migrate(): Promise<void> {
    await migrateUnderLock(this.database.pool, `gateway-idempotency-claims:${this.schema}`, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(this.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        tenant_id  text NOT NULL,
        key_hash   bytea NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key_hash))`);
      await isolateByTenant(client, this.table, { appRole: this.database.appRole.name, privileges: ['SELECT', 'INSERT'] });
    });
  }

  /** True for the first request of the tenant to claim `key`, false for every later one. */
  async claim(tenantId: string, key: string): Promise<boolean> {
    const keyHash = createHash('sha256').update(key).digest();
    const inserted = await withTenant(this.database.tenantPool, tenantId, (client) =>
      client.query(`INSERT INTO ${this.table} (tenant_id, key_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [tenantId, keyHash]),
    );
    return inserted.rowCount === 1;
  }
}
