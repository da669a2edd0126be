import { randomUUID } from 'node:crypto';
import type { AuditFinding, AuditTables } from '@agent-orchestrator/audit-store';
import { auditStream, type AuditExportRange, type CommandMetadata, type RequestAuditExport } from '@agent-orchestrator/contracts';
import { handleCommand, type EventStore } from '@agent-orchestrator/event-store';
import type pg from 'pg';
import type { Logger } from 'pino';
import { auditTrailDecider } from '../audit-trail-stream.js';
import type { Checkpointer, SignedCheckpoint } from '../checkpoints/checkpointer.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import { writeBundle } from './bundle-writer.js';
import { ChunkSink, storedBundle } from './chunk-sink.js';
import { selectLeaves } from './selection.js';

export interface ExportJobsOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly tables: AuditTables;
  readonly checkpointer: Checkpointer;
  readonly keys: SigningKeys;
  readonly logger: Logger;
  readonly now: () => string;
  /**
   * The offline verifier (audit-proof's verifyBundle), run over each completed bundle as stored
   * and its report kept for the console; left out, bundles are not checked (the benchmark times
   * the export alone).
   */
  readonly verify?: (bundle: AsyncIterable<Buffer>) => Promise<StoredBundleReport>;
  /** Bytes per stored chunk (about 1 MiB); specs make it small to see many chunks from a few thousand events. */
  readonly chunkBytes?: number;
}

export interface StoredBundleReport {
  readonly ok: boolean;
  readonly summary: string;
  readonly findings: readonly AuditFinding[];
}

/** An export's reason to fail that a person can act on; anything else is reported by its message. */
class ExportRefused extends Error {
  override readonly name = 'ExportRefused';
}

const metadataFor = (tenantId: string, exportId: string, now: string): CommandMetadata => ({
  tenantId,
  correlationId: auditStream(tenantId),
  causationId: exportId,
  actor: { kind: 'service', id: 'audit' },
  traceparent: null,
  now,
  eventIds: [randomUUID()],
});

/**
 * Runs exports: each requested export is written into its chunks from scratch, completed
 * (AuditExportCompleted) or failed (AuditExportFailed, with the reason), then checked by the
 * offline verifier over the stored bundle. One job per export in this process at a time.
 */
export class ExportJobs {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: ExportJobsOptions) {}

  /**
   * Records the request on the tenant's audit trail (AuditExportRequested, idempotent by export id
   * and by the command's event ids) and in the exports table, then starts its job unless it is
   * running or done.
   */
  async request(command: RequestAuditExport): Promise<void> {
    const { exportId, range, metadata } = command;
    const { tenantId } = metadata;
    await handleCommand(this.options.store, auditStream(tenantId), command, auditTrailDecider);
    const { rows } = await this.options.pool.query<{ status: string }>(
      `INSERT INTO ${this.options.tables.exports} (export_id, tenant_id, status, request, requested_at, requested_by) VALUES ($1, $2, 'requested', $3, $4, $5)
       ON CONFLICT (export_id) DO UPDATE SET export_id = excluded.export_id WHERE ${this.options.tables.exports}.tenant_id = excluded.tenant_id RETURNING status`,
      [exportId, tenantId, range, metadata.now, metadata.actor.id],
    );
    if (rows[0]?.status === 'requested' || rows[0]?.status === 'running') this.start(tenantId, exportId);
  }

  /** On start: every export requested but not finished runs again from scratch. */
  async resume(): Promise<number> {
    const { rows } = await this.options.pool.query<{ tenant_id: string; export_id: string }>(`SELECT tenant_id, export_id FROM ${this.options.tables.exports} WHERE status IN ('requested', 'running') ORDER BY requested_at`);
    for (const row of rows) this.start(row.tenant_id, row.export_id);
    return rows.length;
  }

  /** Resolves when the export's job in this process (if any) has finished. */
  async settled(exportId?: string): Promise<void> {
    await Promise.all(exportId === undefined ? [...this.running.values()] : [this.running.get(exportId)]);
  }

  private start(tenantId: string, exportId: string): void {
    if (this.running.has(exportId)) return;
    const job = this.run(tenantId, exportId)
      .catch((error: unknown) => this.options.logger.error({ err: error, tenantId, exportId }, 'audit export job failed to record its outcome; it runs again at the next start'))
      .finally(() => this.running.delete(exportId));
    this.running.set(exportId, job);
  }

  private async run(tenantId: string, exportId: string): Promise<void> {
    const { pool, tables, logger } = this.options;
    const { rows } = await pool.query<{ request: AuditExportRange; status: string }>(
      `UPDATE ${tables.exports} SET status = 'running', written = 0, total = NULL, error = NULL WHERE tenant_id = $1 AND export_id = $2 AND status IN ('requested', 'running') RETURNING request, status`,
      [tenantId, exportId],
    );
    if (rows[0] === undefined) return;
    await pool.query(`DELETE FROM ${tables.chunks} WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId]);
    try {
      await this.write(tenantId, exportId, rows[0].request);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error({ err: error, tenantId, exportId }, 'audit export failed');
      await pool.query(`DELETE FROM ${tables.chunks} WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId]);
      await handleCommand(this.options.store, auditStream(tenantId), { type: 'FailAuditExport', exportId, reason, metadata: metadataFor(tenantId, exportId, this.options.now()) }, auditTrailDecider);
      await pool.query(`UPDATE ${tables.exports} SET status = 'failed', error = $3 WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId, reason.slice(0, 2000)]);
      return;
    }
    await this.verify(tenantId, exportId);
  }

  private async write(tenantId: string, exportId: string, request: AuditExportRange): Promise<void> {
    const { pool, tables, store, checkpointer, keys, now } = this.options;
    const previous = request.previousExportId === undefined ? null : await this.previousOf(tenantId, request.previousExportId);
    const checkpoint = await checkpointer.sign(tenantId, 'export', exportId);
    if (previous !== null && previous.checkpoint.treeSize > checkpoint.treeSize) {
      throw new ExportRefused(`the previous export ${previous.exportId} proves a tree of ${previous.checkpoint.treeSize} leaves, larger than the tree now (${checkpoint.treeSize}): the tenant's leaves were rebuilt`);
    }
    const selection = await selectLeaves(pool, tables, tenantId, request, checkpoint.treeSize);
    await pool.query(`UPDATE ${tables.exports} SET total = $3, checkpoint = $4 WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId, selection.events, checkpointRecord(checkpoint)]);
    let written = 0;
    const sink = new ChunkSink(pool, tables, { tenantId, exportId }, () => pool.query(`UPDATE ${tables.exports} SET written = $3 WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId, written]).then(() => undefined), this.options.chunkBytes);
    const events = await writeBundle({
      pool,
      store,
      tables,
      tenantId,
      exportId,
      createdAt: now(),
      request,
      selection,
      checkpoint,
      previous,
      signer: await keys.activeSigner(tenantId),
      sink,
      onEvent: () => written++,
    });
    const sha256 = sink.sha256();
    const handled = await handleCommand(
      store,
      auditStream(tenantId),
      { type: 'CompleteAuditExport', exportId, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, events, bytes: sink.bytes, sha256, metadata: metadataFor(tenantId, exportId, now()) },
      auditTrailDecider,
    );
    const completed = handled.newEvents[0]?.data as { expiresAt?: string } | undefined;
    await pool.query(
      `UPDATE ${tables.exports} SET status = 'completed', written = $3, events = $3, bytes = $4, sha256 = $5, completed_at = $6, expires_at = $7 WHERE tenant_id = $1 AND export_id = $2`,
      [tenantId, exportId, events, sink.bytes, sha256, handled.newEvents[0]?.occurredAt ?? now(), completed?.expiresAt ?? null],
    );
  }

  /** The platform's own check of what it stored: the offline verifier over the bundle as a client downloads it. */
  private async verify(tenantId: string, exportId: string): Promise<void> {
    const { pool, tables, logger, verify } = this.options;
    if (verify === undefined) return;
    try {
      const report = await verify(storedBundle(pool, tables, tenantId, exportId));
      const verification = { ok: report.ok, summary: report.summary, findings: report.findings };
      await pool.query(`UPDATE ${tables.exports} SET verification = $3 WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId, verification]);
      if (!report.ok) logger.error({ tenantId, exportId, findings: report.findings.slice(0, 10) }, 'a stored audit bundle does not verify');
    } catch (error) {
      logger.error({ err: error, tenantId, exportId }, 'verifying the stored audit bundle failed');
      await pool.query(`UPDATE ${tables.exports} SET verification = $3 WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId, { ok: false, summary: `the verifier could not run: ${(error as Error).message}`, findings: [] }]);
    }
  }

  private async previousOf(tenantId: string, previousExportId: string): Promise<{ exportId: string; checkpoint: SignedCheckpoint }> {
    const { rows } = await this.options.pool.query<{ status: string; checkpoint: SignedCheckpoint | null }>(`SELECT status, checkpoint FROM ${this.options.tables.exports} WHERE tenant_id = $1 AND export_id = $2`, [tenantId, previousExportId]);
    const found = rows[0];
    // An expired export's bundle is gone, but the checkpoint it proved against still stands.
    if ((found?.status !== 'completed' && found?.status !== 'expired') || found.checkpoint === null) {
      throw new ExportRefused(`previousExportId ${previousExportId} is not a completed export of this tenant${found ? ` (it is ${found.status})` : ''}; name one that GET /v1/audit/exports lists as completed, or leave it out`);
    }
    return { exportId: previousExportId, checkpoint: found.checkpoint };
  }
}

/** What the exports table keeps of a checkpoint: all of it, so a later export can name it as its previous. */
function checkpointRecord(checkpoint: SignedCheckpoint): SignedCheckpoint {
  return { tenantId: checkpoint.tenantId, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, signedAt: checkpoint.signedAt, keyId: checkpoint.keyId, signature: checkpoint.signature };
}
