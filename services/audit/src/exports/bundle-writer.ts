import { bundleSignatureMessage, consistencyProofIntervals, inclusionProofIntervals, rangeProofIntervals } from '@agent-orchestrator/audit-proof';
import type { AuditTables } from '@agent-orchestrator/audit-store';
import type { AuditExportRange } from '@agent-orchestrator/contracts';
import type { ChainLink, EventStore } from '@agent-orchestrator/event-store';
import type pg from 'pg';
import type { SignedCheckpoint } from '../checkpoints/checkpointer.js';
import type { Signer } from '../keys/signing-keys.js';
import type { ChunkSink } from './chunk-sink.js';
import { IntervalHashes } from './interval-hashes.js';
import { selectionCondition, type Selection } from './selection.js';

// Small pages: each lives across the chunk writes it feeds, and what outlives a scavenge is promoted, so smaller pages keep the heap (and RSS) flatter.
const pageSize = 250;

export interface BundleInput {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly tables: AuditTables;
  readonly tenantId: string;
  readonly exportId: string;
  readonly createdAt: string;
  readonly request: AuditExportRange;
  readonly selection: Selection;
  readonly checkpoint: SignedCheckpoint;
  readonly previous: { readonly exportId: string; readonly checkpoint: SignedCheckpoint } | null;
  readonly signer: Signer;
  readonly sink: ChunkSink;
  /** Told after each event line, for progress. */
  readonly onEvent: () => void;
}

/**
 * Writes the bundle (format ao-audit-bundle/1, see the audit contract) line by line into the sink:
 * every read is keyset-paged and every proof hash comes from stored leaf hashes, so memory holds a
 * page and a chunk whatever the export's size. Returns the number of event lines.
 */
export async function writeBundle(input: BundleInput): Promise<number> {
  const { sink, selection, checkpoint, previous, tenantId, exportId } = input;
  const checkpointObject = (c: SignedCheckpoint) => ({ ...c });
  await sink.line({
    kind: 'manifest',
    format: 'ao-audit-bundle/1',
    exportId,
    tenantId,
    createdAt: input.createdAt,
    request: input.request,
    proofMode: selection.mode,
    range: { first: selection.first, end: selection.end },
    counts: { events: selection.events, streams: selection.streams },
    checkpoint: checkpointObject(checkpoint),
    previous: previous === null ? null : { exportId: previous.exportId, checkpoint: checkpointObject(previous.checkpoint) },
  });
  let written = 0;
  const events = selection.mode === 'range' ? rangeEvents(input, selection.first, selection.end) : sessionEvents(input, selection);
  for await (const { position, link } of events) {
    await sink.line({ kind: 'event', position, prevHash: link.prevHash, hash: link.hash, event: link.event });
    written++;
    input.onEvent();
  }
  if (written !== selection.events) throw new Error(`the log held ${written} of the ${selection.events} events the tree lists for the export; the log or the tree was changed meanwhile`);
  await writeStreamHeads(input);
  const hashes = new IntervalHashes(input.pool, input.tables, tenantId);
  const treeSize = checkpoint.treeSize;
  if (selection.mode === 'range') {
    await sink.line({ kind: 'range-proof', first: selection.first, end: selection.end, treeSize, hashes: await hashes.all(rangeProofIntervals(selection.first, selection.end, treeSize)) });
  } else {
    for await (const position of sessionPositions(input, selection)) {
      await sink.line({ kind: 'inclusion-proof', position, treeSize, path: await hashes.all(inclusionProofIntervals(position, treeSize)) });
    }
  }
  if (previous !== null) {
    const fromSize = previous.checkpoint.treeSize;
    await sink.line({ kind: 'consistency-proof', fromSize, toSize: treeSize, hashes: await hashes.all(consistencyProofIntervals(fromSize, treeSize)) });
  }
  await writeCheckpoints(input);
  await writeKeys(input);
  const sha256 = sink.sha256();
  await sink.line({ kind: 'signature', tenantId, exportId, sha256, keyId: input.signer.keyId, signature: input.signer.sign(bundleSignatureMessage({ tenantId, exportId, sha256 })) });
  await sink.flush();
  return written;
}

/** The tenant's events at positions [first, end): the leaves table and the log read side by side, page by page, and checked against each other. */
async function* rangeEvents(input: BundleInput, first: number, end: number): AsyncIterable<{ position: number; link: ChainLink }> {
  const { pool, store, tables, tenantId } = input;
  let after: string | undefined;
  if (first > 0) {
    const { rows } = await pool.query<{ global_position: string }>(`SELECT global_position FROM ${tables.leaves} WHERE tenant_id = $1 AND position = $2`, [tenantId, first - 1]);
    after = rows[0]?.global_position;
  }
  for (let from = first; from < end; ) {
    const count = Math.min(pageSize, end - from);
    const [leaves, links] = await Promise.all([
      pool.query<{ event_id: string }>(`SELECT event_id FROM ${tables.leaves} WHERE tenant_id = $1 AND position >= $2 AND position < $3 ORDER BY position`, [tenantId, from, from + count]),
      store.readChainAll({ ...(after === undefined ? {} : { after }), tenantId, maxCount: count }),
    ]);
    for (const [index, link] of links.entries()) {
      const leaf = leaves.rows[index];
      if (leaf?.event_id !== link.event.eventId) {
        throw new Error(`position ${from + index} of tenant ${tenantId}'s tree is event ${leaf?.event_id ?? 'none'}, but the log has ${link.event.eventId} there; the tree and the log disagree`);
      }
      yield { position: from + index, link };
    }
    if (links.length < count) return;
    after = links.at(-1)!.event.globalPosition;
    from += count;
  }
}

/** The positions of the selected sessions' events, in order, a page at a time. */
async function* sessionPositions(input: BundleInput, selection: Selection): AsyncIterable<number> {
  for await (const row of sessionLeaves(input, selection)) yield row.position;
}

async function* sessionLeaves(input: BundleInput, selection: Selection): AsyncIterable<{ position: number; eventId: string; after: string | null }> {
  const { pool, tables, tenantId } = input;
  const condition = selectionCondition(selection);
  for (let last = -1; ; ) {
    const { rows } = await pool.query<{ position: string; event_id: string; after: string | null }>(
      `SELECT s.position, s.event_id, p.global_position AS after FROM ${tables.leaves} s
         LEFT JOIN ${tables.leaves} p ON p.tenant_id = s.tenant_id AND p.position = s.position - 1
        WHERE s.tenant_id = $1 AND ${condition.sql} AND s.position > $4 ORDER BY s.position LIMIT ${pageSize}`,
      [tenantId, ...condition.values, last],
    );
    for (const row of rows) yield { position: Number(row.position), eventId: row.event_id, after: row.after };
    if (rows.length < pageSize) return;
    last = Number(rows.at(-1)!.position);
  }
}

/** Each selected event read from the log by its predecessor's position (the tenant's events in global order are its positions). */
async function* sessionEvents(input: BundleInput, selection: Selection): AsyncIterable<{ position: number; link: ChainLink }> {
  for await (const leaf of sessionLeaves(input, selection)) {
    const [link] = await input.store.readChainAll({ ...(leaf.after === null ? {} : { after: leaf.after }), tenantId: input.tenantId, maxCount: 1 });
    if (link?.event.eventId !== leaf.eventId) {
      throw new Error(`position ${leaf.position} of tenant ${input.tenantId}'s tree is event ${leaf.eventId}, but the log has ${link?.event.eventId ?? 'nothing'} there; the tree and the log disagree`);
    }
    yield { position: leaf.position, link };
  }
}

/** For each stream with events in the bundle, its last event below the checkpoint's tree size, by stream id. */
async function writeStreamHeads(input: BundleInput): Promise<void> {
  const { pool, tables, tenantId, selection, sink, checkpoint } = input;
  const condition = selectionCondition(selection);
  const limitParam = condition.values.length + 2;
  for (let after = ''; ; ) {
    const { rows } = await pool.query<{ stream_id: string; stream_version: string; chain_hash: Buffer }>(
      `SELECT DISTINCT ON (h.stream_id) h.stream_id, h.stream_version, h.chain_hash FROM ${tables.leaves} h
        WHERE h.tenant_id = $1 AND h.position < $${limitParam} AND h.stream_id > $${limitParam + 1}
          AND h.stream_id IN (SELECT s.stream_id FROM ${tables.leaves} s WHERE s.tenant_id = $1 AND ${condition.sql} AND s.stream_id > $${limitParam + 1})
        ORDER BY h.stream_id, h.position DESC LIMIT ${pageSize}`,
      [tenantId, ...condition.values, checkpoint.treeSize, after],
    );
    for (const row of rows) await sink.line({ kind: 'stream-head', streamId: row.stream_id, version: Number(row.stream_version), hash: row.chain_hash.toString('hex') });
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.stream_id;
  }
}

/** Every checkpoint from the previous export's (or the tenant's first) to the manifest's, both included, in the order signed. */
async function writeCheckpoints(input: BundleInput): Promise<void> {
  const { pool, tables, tenantId, sink, checkpoint, previous } = input;
  const since = previous?.checkpoint.signedAt ?? '-infinity';
  for (let after: [string, string] = ['-infinity', '00000000-0000-0000-0000-000000000000']; ; ) {
    const { rows } = await pool.query<{ event_id: string; tree_size: string; root_hash: string; signed_at: Date; key_id: string; signature: string; timestamp: string | null }>(
      `SELECT event_id, tree_size, root_hash, signed_at, key_id, signature, timestamp FROM ${tables.checkpoints}
        WHERE tenant_id = $1 AND signed_at >= $2::timestamptz AND signed_at <= $3::timestamptz AND (signed_at, event_id) > ($4::timestamptz, $5::uuid)
        ORDER BY signed_at, event_id LIMIT ${pageSize}`,
      [tenantId, since, checkpoint.signedAt, ...after],
    );
    for (const row of rows) {
      await sink.line({
        kind: 'checkpoint',
        tenantId,
        treeSize: Number(row.tree_size),
        rootHash: row.root_hash,
        signedAt: row.signed_at.toISOString(),
        keyId: row.key_id,
        signature: row.signature,
        ...(row.timestamp === null ? {} : { timestamp: row.timestamp }),
      });
    }
    if (rows.length < pageSize) return;
    const last = rows.at(-1)!;
    after = [last.signed_at.toISOString(), last.event_id];
  }
}

async function writeKeys(input: BundleInput): Promise<void> {
  const { rows } = await input.pool.query<{ key_id: string; public_key: string; valid_from: Date; valid_until: Date | null; previous_key_id: string | null; endorsement: string | null }>(
    `SELECT key_id, public_key, valid_from, valid_until, previous_key_id, endorsement FROM ${input.tables.keys} WHERE tenant_id = $1 ORDER BY valid_from, key_id`,
    [input.tenantId],
  );
  for (const row of rows) {
    await input.sink.line({
      kind: 'key',
      keyId: row.key_id,
      algorithm: 'Ed25519',
      publicKey: row.public_key,
      validFrom: row.valid_from.toISOString(),
      validUntil: row.valid_until?.toISOString() ?? null,
      previousKeyId: row.previous_key_id,
      endorsement: row.endorsement,
    });
  }
}
