import { randomUUID } from 'node:crypto';
import { checkpointMessage } from '@agent-orchestrator/audit-proof';
import type { AuditTables } from '@agent-orchestrator/audit-store';
import { auditStream, type CommandMetadata } from '@agent-orchestrator/contracts';
import { handleCommand, type EventStore } from '@agent-orchestrator/event-store';
import type pg from 'pg';
import type { Logger } from 'pino';
import { auditTrailDecider } from '../audit-trail-stream.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import { rootOfRange } from '../tree/compact-range.js';
import type { TreeBuilder } from '../tree/tree-builder.js';

/** A checkpoint as signed: what the bundle's checkpoint lines carry. */
export interface SignedCheckpoint {
  readonly tenantId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly signedAt: string;
  readonly keyId: string;
  readonly signature: string;
}

export type CheckpointReason = 'interval' | 'requested' | 'export';

export interface CheckpointerOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly tables: AuditTables;
  readonly builder: TreeBuilder;
  readonly keys: SigningKeys;
  readonly logger: Logger;
  readonly now: () => string;
}

/** Signs tenants' trees and appends each checkpoint (AuditCheckpointSigned) to the tenant's audit stream. */
export class Checkpointer {
  constructor(private readonly options: CheckpointerOptions) {}

  /**
   * Signs the tenant's tree. The builder first catches up to the log's end as it is now (for an
   * export or on demand, so the checkpoint covers every event the tenant has; on the interval too,
   * so a first key's event is not left for the next interval to find). Returns once the
   * checkpoint's own event is projected.
   */
  async sign(tenantId: string, reason: CheckpointReason, causationId = `audit-checkpoint-${reason}`): Promise<SignedCheckpoint> {
    const { store, builder, keys, now } = this.options;
    // The signer first: a tenant's first key is an event of its own, which the tree then covers.
    const signer = await keys.activeSigner(tenantId);
    await builder.catchUpTo(await store.lastPosition({ tenantId }));
    const tree = await this.tree(tenantId);
    const unsigned = { tenantId, treeSize: tree.size, rootHash: rootOfRange(tree).toString('hex'), signedAt: now(), keyId: signer.keyId };
    const checkpoint: SignedCheckpoint = { ...unsigned, signature: signer.sign(checkpointMessage(unsigned)) };
    const metadata: CommandMetadata = { tenantId, correlationId: auditStream(tenantId), causationId, actor: { kind: 'service', id: 'audit' }, traceparent: null, now: checkpoint.signedAt, eventIds: [randomUUID()] };
    const { treeSize, rootHash, signedAt, keyId, signature } = checkpoint;
    const handled = await handleCommand(store, auditStream(tenantId), { type: 'RecordAuditCheckpoint', checkpoint: { treeSize, rootHash, signedAt, keyId, signature }, reason, metadata }, auditTrailDecider);
    await builder.catchUpTo(handled.appended?.position);
    this.options.logger.info({ tenantId, treeSize, keyId, reason }, 'audit checkpoint signed');
    return checkpoint;
  }

  /**
   * The interval's checkpoints: each tenant whose tree grew by more than its own last
   * checkpoint's event. A tenant that cannot be signed for is logged and the others go on.
   */
  async signGrownTrees(): Promise<number> {
    const { tables, pool, logger } = this.options;
    const { rows } = await pool.query<{ tenant_id: string }>(
      `SELECT t.tenant_id FROM ${tables.trees} t
        WHERE t.size > COALESCE((SELECT max(c.tree_size) + 1 FROM ${tables.checkpoints} c WHERE c.tenant_id = t.tenant_id), 0)
        ORDER BY t.tenant_id`,
    );
    let signed = 0;
    for (const { tenant_id: tenantId } of rows) {
      try {
        await this.sign(tenantId, 'interval');
        signed++;
      } catch (error) {
        logger.error({ err: error, tenantId }, 'interval audit checkpoint failed; the next interval tries again');
      }
    }
    return signed;
  }

  private async tree(tenantId: string): Promise<{ size: number; frontier: Buffer[] }> {
    const { rows } = await this.options.pool.query<{ size: string; frontier: Buffer[] }>(`SELECT size, frontier FROM ${this.options.tables.trees} WHERE tenant_id = $1`, [tenantId]);
    return rows[0] === undefined ? { size: 0, frontier: [] } : { size: Number(rows[0].size), frontier: rows[0].frontier };
  }
}
