import { withTenant } from '@agent-orchestrator/postgres';
import type pg from 'pg';
import {
  defaultAuditRetentionDays,
  exportRecordOf,
  keyRecordOf,
  type AuditCheckpointRecord,
  type AuditExportRecord,
  type AuditKeyRecord,
  type ExportRow,
  type KeyRow,
} from './records.js';
import { auditTables, type AuditTables } from './tables.js';

/**
 * What the gateway shows of the audit trail, read as the application role under row-level
 * security: each method runs in `withTenant`, so it sees the named tenant's rows and no other.
 * The audit service writes these tables; nothing here writes.
 */
export class AuditReadModel {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly tables: AuditTables,
  ) {}

  /** `pool` is the application role's (tenant-scoped); the tables are made by migrateAuditStore. */
  static open(options: { pool: pg.Pool; schema: string }): AuditReadModel {
    return new AuditReadModel(options.pool, auditTables(options.schema));
  }

  /** Newest first; `before` is the requestedAt of the last record of the previous page. */
  listExports(tenantId: string, page: { limit: number; before?: string }): Promise<AuditExportRecord[]> {
    return withTenant(this.pool, tenantId, async (client) => {
      const { rows } = await client.query<ExportRow>(
        `SELECT * FROM ${this.tables.exports} WHERE ($1::timestamptz IS NULL OR requested_at < $1::timestamptz) ORDER BY requested_at DESC, export_id DESC LIMIT $2`,
        [page.before ?? null, page.limit],
      );
      return rows.map(exportRecordOf);
    });
  }

  getExport(tenantId: string, exportId: string): Promise<AuditExportRecord | undefined> {
    return withTenant(this.pool, tenantId, async (client) => {
      // A malformed id is no export, not a database error.
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(exportId)) return undefined;
      const { rows } = await client.query<ExportRow>(`SELECT * FROM ${this.tables.exports} WHERE export_id = $1`, [exportId]);
      return rows[0] === undefined ? undefined : exportRecordOf(rows[0]);
    });
  }

  /**
   * The stored bundle's bytes in order, one chunk (~1 MiB) per read, so memory stays flat whatever
   * the bundle's size. Yields nothing unless the export is completed (a failed or expired one has
   * no bundle): check getExport first to answer 404 or 409.
   */
  async *bundle(tenantId: string, exportId: string): AsyncIterable<Buffer> {
    const record = await this.getExport(tenantId, exportId);
    if (record?.status !== 'completed') return;
    for (let seq = 0; ; seq++) {
      const chunk = await withTenant(this.pool, tenantId, async (client) => {
        const { rows } = await client.query<{ data: Buffer }>(`SELECT data FROM ${this.tables.chunks} WHERE export_id = $1 AND seq = $2`, [exportId, seq]);
        return rows[0]?.data;
      });
      if (chunk === undefined) return;
      yield chunk;
    }
  }

  /** Every key the tenant ever had, oldest first. */
  keys(tenantId: string): Promise<AuditKeyRecord[]> {
    return withTenant(this.pool, tenantId, async (client) => {
      const { rows } = await client.query<KeyRow>(`SELECT * FROM ${this.tables.keys} ORDER BY valid_from, key_id`);
      return rows.map(keyRecordOf);
    });
  }

  /** Newest first. */
  checkpoints(tenantId: string, page: { limit: number }): Promise<AuditCheckpointRecord[]> {
    return withTenant(this.pool, tenantId, async (client) => {
      const { rows } = await client.query<{ tree_size: string; root_hash: string; signed_at: Date; key_id: string; reason: string }>(
        `SELECT tree_size, root_hash, signed_at, key_id, reason FROM ${this.tables.checkpoints} ORDER BY signed_at DESC, tree_size DESC LIMIT $1`,
        [page.limit],
      );
      return rows.map((row) => ({ treeSize: Number(row.tree_size), rootHash: row.root_hash, signedAt: row.signed_at.toISOString(), keyId: row.key_id, reason: row.reason }));
    });
  }

  /** The tenant's retention in days (180 when never set) and when it was set. */
  retention(tenantId: string): Promise<{ days: number; setAt: string | null }> {
    return withTenant(this.pool, tenantId, async (client) => {
      const { rows } = await client.query<{ days: number; set_at: Date }>(`SELECT days, set_at FROM ${this.tables.retention}`);
      return rows[0] === undefined ? { days: defaultAuditRetentionDays, setAt: null } : { days: rows[0].days, setAt: rows[0].set_at.toISOString() };
    });
  }
}
