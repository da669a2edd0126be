import { createHash, type Hash } from 'node:crypto';
import type { AuditTables } from '@agent-orchestrator/audit-store';
import type pg from 'pg';

export const bundleChunkBytes = 1024 * 1024;

/**
 * Where a bundle goes as it is written: lines gathered into ~1 MiB chunks, each stored as a row
 * as soon as it is full, so memory holds one chunk whatever the bundle's size. Keeps the running
 * SHA-256 and byte count of everything written.
 */
export class ChunkSink {
  private parts: Buffer[] = [];
  private pending = 0;
  private seq = 0;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly tables: AuditTables,
    private readonly target: { readonly tenantId: string; readonly exportId: string },
    private readonly onChunk: () => Promise<void> = async () => undefined,
    private readonly chunkBytes = bundleChunkBytes,
  ) {}

  async line(value: unknown): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    this.hash.update(bytes);
    this.bytes += bytes.length;
    this.parts.push(bytes);
    this.pending += bytes.length;
    if (this.pending >= this.chunkBytes) await this.flush();
  }

  /** Hex SHA-256 of every byte written so far. */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }

  async flush(): Promise<void> {
    if (this.pending === 0) return;
    const data = Buffer.concat(this.parts, this.pending);
    this.parts = [];
    this.pending = 0;
    await this.pool.query(`INSERT INTO ${this.tables.chunks} (export_id, seq, tenant_id, data) VALUES ($1, $2, $3, $4)`, [this.target.exportId, this.seq++, this.target.tenantId, data]);
    await this.onChunk();
  }
}

/** The stored bundle's chunks in order, one read per chunk (the migration role's view: name the tenant). */
export async function* storedBundle(pool: pg.Pool, tables: AuditTables, tenantId: string, exportId: string): AsyncIterable<Buffer> {
  for (let seq = 0; ; seq++) {
    const { rows } = await pool.query<{ data: Buffer }>(`SELECT data FROM ${tables.chunks} WHERE tenant_id = $1 AND export_id = $2 AND seq = $3`, [tenantId, exportId, seq]);
    if (rows[0] === undefined) return;
    yield rows[0].data;
  }
}
