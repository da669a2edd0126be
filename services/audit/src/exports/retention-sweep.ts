import type { AuditTables } from '@agent-orchestrator/audit-store';
import { inTransaction } from '@agent-orchestrator/postgres';
import type pg from 'pg';

/**
 * Deletes the bundles of completed exports past their expiry (completion + the tenant's
 * retention days) and marks them expired; their records and checkpoints stay, so a later
 * export can still name one as its previous. Returns how many expired.
 */
export async function sweepExpiredBundles(pool: pg.Pool, tables: AuditTables, now: string): Promise<number> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ export_id: string }>(
      `UPDATE ${tables.exports} SET status = 'expired' WHERE status = 'completed' AND expires_at <= $1::timestamptz RETURNING export_id`,
      [now],
    );
    if (rows.length > 0) await client.query(`DELETE FROM ${tables.chunks} WHERE export_id = ANY($1::uuid[])`, [rows.map((row) => row.export_id)]);
    return rows.length;
  });
}
