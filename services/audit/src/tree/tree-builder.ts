import { canonicalEntry, fingerprintOf, leafHash } from '@agent-orchestrator/audit-proof';
import type { AuditTables } from '@agent-orchestrator/audit-store';
import { auditStream, comparePositions, type AuditEvent, type GlobalPosition } from '@agent-orchestrator/contracts';
import type { ChainLink, EventStore } from '@agent-orchestrator/event-store';
import { inTransaction } from '@agent-orchestrator/postgres';
import type pg from 'pg';
import { appendLeaf, emptyRange, type CompactRange } from './compact-range.js';

export interface TreeBuilderOptions {
  readonly store: EventStore;
  /** The migration role's pool: the builder writes every tenant's rows. */
  readonly pool: pg.Pool;
  readonly tables: AuditTables;
  readonly pageSize?: number;
  /** Told of tenants whose trees got their first leaves, after the page commits (their first key is made then). */
  readonly onTreesStarted?: (tenantIds: readonly string[]) => void;
}

interface LeafRow {
  readonly link: ChainLink;
  readonly position: number;
  readonly leaf: Buffer;
}

/**
 * Builds each tenant's Merkle tree from the log as stored, in global order: one leaf per event,
 * `leafHash(canonicalEntry(event))`. A page of leaves, the trees it grew, the audit tables the
 * page's audit events project into and the builder's cursor commit in one transaction, so each
 * event becomes a leaf exactly once whatever is redelivered or restarted; two builders (two
 * processes) serialise on the cursor's row, and the later one finds the page done.
 */
export class TreeBuilder {
  private readonly pageSize: number;
  /** One build at a time in this process: a second caller waits for the run in hand and then looks again. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TreeBuilderOptions) {
    this.pageSize = options.pageSize ?? 1000;
  }

  /** Where the builder has got to in the log: every event up to it is a leaf. */
  async cursor(): Promise<GlobalPosition | undefined> {
    const { rows } = await this.options.pool.query<{ cursor: string | null }>(`SELECT cursor FROM ${this.options.tables.builder} WHERE name = 'tree'`);
    return rows[0]?.cursor ?? undefined;
  }

  /** Builds until every event up to `position` (a committed one) is a leaf, waiting out the transactions in flight that hide it from readers, for at most `timeoutMs`. */
  catchUpTo(position: GlobalPosition | undefined, timeoutMs = 60_000): Promise<void> {
    const run = this.running.then(async () => {
      const deadline = Date.now() + timeoutMs;
      for (let pause = 5; ; ) {
        const cursor = await this.cursor();
        if (position === undefined || (cursor !== undefined && comparePositions(cursor, position) >= 0)) return;
        if ((await this.buildPage(cursor)) > 0) {
          pause = 5;
          continue;
        }
        // The position is committed but not readable yet: reads of the log stop below a transaction
        // still in flight (so a late commit is never skipped), and it commits or aborts soon. Going
        // on without it would sign a checkpoint short of the tenant's events, or leave a checkpoint
        // out of the table an export lists them from.
        if (Date.now() > deadline) throw new Error(`the audit tree did not reach log position ${position} within ${timeoutMs} ms: reads of the log stop below a transaction that stays in flight; look for a stuck transaction in the event store`);
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 200);
      }
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Builds the page after `cursor`; 0 when the log has nothing after it. */
  private async buildPage(cursor: GlobalPosition | undefined): Promise<number> {
    const { store, tables } = this.options;
    const links = await store.readChainAll({ ...(cursor === undefined ? {} : { after: cursor }), maxCount: this.pageSize });
    if (links.length === 0) return 0;
    const started = await inTransaction(this.options.pool, async (client) => {
      const locked = await client.query<{ cursor: string | null }>(`SELECT cursor FROM ${tables.builder} WHERE name = 'tree' FOR UPDATE`);
      // Another builder committed this page meanwhile: the caller reads the cursor again.
      if ((locked.rows[0]?.cursor ?? undefined) !== cursor) return [];
      const tenants = [...new Set(links.map((link) => link.event.tenantId))];
      const trees = await loadTrees(client, tables, tenants);
      const known = new Set(trees.keys());
      const rows: LeafRow[] = links.map((link) => {
        const tree = trees.get(link.event.tenantId) ?? emptyRange;
        const leaf = leafHash(canonicalEntry(link.event));
        trees.set(link.event.tenantId, appendLeaf(tree, leaf));
        return { link, position: tree.size, leaf };
      });
      await insertLeaves(client, tables, rows);
      await saveTrees(client, tables, tenants, trees, links);
      await projectAuditEvents(client, tables, links);
      await client.query(`UPDATE ${tables.builder} SET cursor = $1 WHERE name = 'tree'`, [links.at(-1)!.event.globalPosition]);
      return tenants.filter((tenantId) => !known.has(tenantId));
    });
    if (started.length > 0) this.options.onTreesStarted?.(started);
    return links.length;
  }
}

async function loadTrees(client: pg.ClientBase, tables: AuditTables, tenants: readonly string[]): Promise<Map<string, CompactRange>> {
  const { rows } = await client.query<{ tenant_id: string; size: string; frontier: Buffer[] }>(`SELECT tenant_id, size, frontier FROM ${tables.trees} WHERE tenant_id = ANY($1) FOR UPDATE`, [tenants]);
  return new Map(rows.map((row) => [row.tenant_id, { size: Number(row.size), frontier: row.frontier }]));
}

async function insertLeaves(client: pg.ClientBase, tables: AuditTables, rows: readonly LeafRow[]): Promise<void> {
  await client.query(
    `INSERT INTO ${tables.leaves} (tenant_id, position, event_id, global_position, stream_id, stream_version, correlation_id, occurred_at, leaf_hash, chain_hash)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::timestamptz[], $9::bytea[], $10::bytea[])`,
    [
      rows.map((row) => row.link.event.tenantId),
      rows.map((row) => row.position),
      rows.map((row) => row.link.event.eventId),
      rows.map((row) => row.link.event.globalPosition),
      rows.map((row) => row.link.event.streamId),
      rows.map((row) => row.link.event.streamVersion),
      rows.map((row) => row.link.event.correlationId),
      rows.map((row) => row.link.event.occurredAt),
      rows.map((row) => row.leaf),
      rows.map((row) => Buffer.from(row.link.hash, 'hex')),
    ],
  );
}

async function saveTrees(client: pg.ClientBase, tables: AuditTables, tenants: readonly string[], trees: ReadonlyMap<string, CompactRange>, links: readonly ChainLink[]): Promise<void> {
  const lastOf = new Map(links.map((link) => [link.event.tenantId, link.event.globalPosition]));
  for (const tenantId of tenants) {
    const tree = trees.get(tenantId)!;
    await client.query(
      `INSERT INTO ${tables.trees} (tenant_id, size, frontier, last_global_position, updated_at) VALUES ($1, $2, $3::bytea[], $4, now())
       ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier, last_global_position = excluded.last_global_position, updated_at = now()`,
      [tenantId, tree.size, tree.frontier, lastOf.get(tenantId)],
    );
  }
}

/**
 * The audit tables that are projections of the tenant's audit stream (keys, checkpoints,
 * retention) move with the tree, in its transaction: an export that has caught the builder up
 * past a checkpoint finds it.
 */
async function projectAuditEvents(client: pg.ClientBase, tables: AuditTables, links: readonly ChainLink[]): Promise<void> {
  for (const { event: envelope } of links) {
    if (envelope.streamId !== auditStream(envelope.tenantId)) continue;
    const event = envelope as typeof envelope & AuditEvent;
    switch (event.type) {
      case 'AuditKeyActivated': {
        const { keyId, publicKey, validFrom, previousKeyId, endorsement } = event.data;
        await client.query(
          `INSERT INTO ${tables.keys} (tenant_id, key_id, fingerprint, public_key, valid_from, previous_key_id, endorsement) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [event.tenantId, keyId, fingerprintOf(Buffer.from(publicKey, 'base64')), publicKey, validFrom, previousKeyId, endorsement],
        );
        if (previousKeyId !== null) await client.query(`UPDATE ${tables.keys} SET valid_until = $3 WHERE tenant_id = $1 AND key_id = $2`, [event.tenantId, previousKeyId, validFrom]);
        break;
      }
      case 'AuditCheckpointSigned': {
        const { treeSize, rootHash, signedAt, keyId, signature, reason, timestamp } = event.data;
        await client.query(
          `INSERT INTO ${tables.checkpoints} (event_id, tenant_id, tree_size, root_hash, signed_at, key_id, signature, reason, timestamp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
          [event.eventId, event.tenantId, treeSize, rootHash, signedAt, keyId, signature, reason, timestamp ?? null],
        );
        break;
      }
      case 'AuditRetentionSet':
        await client.query(
          `INSERT INTO ${tables.retention} (tenant_id, days, set_at) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO UPDATE SET days = excluded.days, set_at = excluded.set_at`,
          [event.tenantId, event.data.days, event.occurredAt],
        );
        break;
      default:
        break;
    }
  }
}
