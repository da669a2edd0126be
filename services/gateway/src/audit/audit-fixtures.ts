import type { AuditTables } from '@agent-orchestrator/audit-store';
import type pg from 'pg';

/**
 * Rows as the audit service writes them, for specs of the gateway's audit routes: the gateway only
 * reads these tables, so a spec can stand in for the service by writing them directly.
 */
export interface StoredExport {
  readonly exportId: string;
  readonly tenantId: string;
  readonly status: 'requested' | 'running' | 'completed' | 'failed' | 'expired';
  readonly requestedAt: string;
  readonly bundle?: readonly Buffer[];
  readonly error?: string;
}

const checkpoint = { treeSize: 42, rootHash: 'ab'.repeat(32), signedAt: '2026-11-01T10:00:00.000Z', keyId: 'bbbbbbbbbbbbbbbb' };

export async function storeExport(pool: pg.Pool, tables: AuditTables, stored: StoredExport): Promise<void> {
  const bytes = stored.bundle?.reduce((sum, chunk) => sum + chunk.length, 0) ?? null;
  const done = stored.status === 'completed' || stored.status === 'expired';
  await pool.query(
    `INSERT INTO ${tables.exports} (export_id, tenant_id, status, request, requested_at, requested_by, written, total, checkpoint, events, bytes, sha256, completed_at, expires_at, error, verification)
     VALUES ($1, $2, $3, $4, $5, 'auditor-key', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      stored.exportId,
      stored.tenantId,
      stored.status,
      {},
      stored.requestedAt,
      done ? 42 : 7,
      stored.status === 'requested' ? null : 42,
      done ? checkpoint : null,
      done ? 42 : null,
      bytes,
      done ? 'cd'.repeat(32) : null,
      done ? '2026-11-01T10:00:05Z' : null,
      done ? '2027-05-01T10:00:05Z' : null,
      stored.error ?? null,
      done ? { ok: true, summary: '42 events in 3 streams verified against checkpoint 42', findings: [] } : null,
    ],
  );
  for (const [seq, data] of (stored.bundle ?? []).entries()) {
    await pool.query(`INSERT INTO ${tables.chunks} (export_id, seq, tenant_id, data) VALUES ($1, $2, $3, $4)`, [stored.exportId, seq, stored.tenantId, data]);
  }
}

export async function storeKeysAndCheckpoints(pool: pg.Pool, tables: AuditTables, tenantId: string): Promise<void> {
  await pool.query(
    `INSERT INTO ${tables.keys} (tenant_id, key_id, fingerprint, public_key, valid_from, valid_until, previous_key_id, endorsement) VALUES
       ($1, 'aaaaaaaaaaaaaaaa', $2, 'AAAA', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', NULL, NULL),
       ($1, 'bbbbbbbbbbbbbbbb', $3, 'BBBB', '2026-06-01T00:00:00Z', NULL, 'aaaaaaaaaaaaaaaa', 'c2ln')`,
    [tenantId, 'a'.repeat(64), 'b'.repeat(64)],
  );
  await pool.query(
    `INSERT INTO ${tables.checkpoints} (event_id, tenant_id, tree_size, root_hash, signed_at, key_id, signature, reason) VALUES
       (gen_random_uuid(), $1, 10, $2, '2026-11-01T09:00:00Z', 'bbbbbbbbbbbbbbbb', 'c2ln', 'interval'),
       (gen_random_uuid(), $1, 42, $2, '2026-11-01T10:00:00Z', 'bbbbbbbbbbbbbbbb', 'c2ln', 'export')`,
    [tenantId, 'ab'.repeat(32)],
  );
}
