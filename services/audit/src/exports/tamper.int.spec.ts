import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { bundleSignatureMessage, canonicalEntry, chainHash, keyIdOf, leafHash } from '@agent-orchestrator/audit-proof';
import type { ChainLink } from '@agent-orchestrator/event-store';
import { inTransaction } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { appendSessions, openAuditHarness, verifyBytes, type AuditHarness } from '../audit-harness.behaviour.js';
import { appendLeaf, emptyRange } from '../tree/compact-range.js';

interface EventLine {
  kind: 'event';
  position: number;
  prevHash: string | null;
  hash: string;
  event: ChainLink['event'];
}

/**
 * The tamper specs: each on a real export from real PostgreSQL, changed as an attacker
 * would, through the offline verifier, which must find it and name the stream, version and
 * position where it can.
 */
describe('a tampered export', () => {
  let h: AuditHarness;
  let sessions: string[];
  let original: Buffer;
  let originalId: string;
  let lines: string[];
  let events: EventLine[];

  beforeAll(async () => {
    h = await openAuditHarness('audit_tamper');
    sessions = await appendSessions(h.store, 'acme', 6, 4);
    await appendSessions(h.store, 'globex', 2, 4);
    originalId = await h.exportNow('acme');
    original = await h.bundle('acme', originalId);
    lines = original.toString('utf8').split('\n').slice(0, -1);
    events = lines.map((line) => JSON.parse(line) as { kind: string }).filter((line): line is EventLine => line.kind === 'event');
  });
  afterAll(() => h.dispose());

  const file = (edited: readonly string[]) => Buffer.from(`${edited.join('\n')}\n`);
  const lineOf = (position: number) => lines.findIndex((line) => line.startsWith('{"kind":"event"') && (JSON.parse(line) as EventLine).position === position);
  const findingsOf = async (bundle: Buffer, previous?: Buffer) => (await verifyBytes(bundle, previous)).findings;
  /** An event in the middle of the bundle that is its stream's first: the next version names it missing. */
  const middle = () => events.find((line) => line.position >= 8 && line.event.streamVersion === 0 && line.event.streamId.startsWith('session-'))!;

  it('verifies untouched', async () => {
    expect(await verifyBytes(original)).toMatchObject({ ok: true, findings: [] });
  });

  it('finds one changed byte of one event\'s data, naming its stream, version and position', async () => {
    const target = middle();
    const edited = [...lines];
    const index = lineOf(target.position);
    expect(edited[index]).toContain('"planner":"Planner"');
    edited[index] = edited[index]!.replace('"planner":"Planner"', '"planner":"Plannes"');
    expect(Buffer.byteLength(edited[index]!)).toBe(Buffer.byteLength(lines[index]!));
    expect(await findingsOf(file(edited))).toContainEqual(expect.objectContaining({ kind: 'altered', streamId: target.event.streamId, streamVersion: 0, position: target.position }));
  });

  it('finds a deleted event', async () => {
    const target = middle();
    const findings = await findingsOf(file(lines.filter((_, index) => index !== lineOf(target.position))));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', position: target.position, message: `position ${target.position} is missing` }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', streamId: target.event.streamId, streamVersion: 1, message: expect.stringContaining(`version 0 of ${target.event.streamId} is missing`) }));
  });

  it('finds an inserted event, even with a chain hash that fits', async () => {
    const target = middle();
    const forged = { ...target.event, eventId: '0b7c6a3e-5d1f-4c1e-9a1b-0000000000ff', data: { planner: 'Planner', attempt: 99 } };
    const inserted: EventLine = { kind: 'event', position: target.position, prevHash: target.prevHash, hash: chainHash(target.prevHash, 0, canonicalEntry(forged)), event: forged };
    const edited = [...lines];
    edited.splice(lineOf(target.position) + 1, 0, JSON.stringify(inserted));
    const findings = await findingsOf(file(edited));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'inserted', streamId: target.event.streamId, streamVersion: 0, position: target.position }));
  });

  it('finds two events swapped', async () => {
    const target = middle();
    const [a, b] = [lineOf(target.position), lineOf(target.position + 1)];
    const edited = [...lines];
    [edited[a], edited[b]] = [edited[b]!, edited[a]!];
    const findings = await findingsOf(file(edited));
    const later = events.find((line) => line.position === target.position + 1)!;
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'out-of-order', position: target.position, streamId: target.event.streamId, streamVersion: 0, message: `position ${target.position} comes after position ${later.position}` }));
  });

  it('finds the file cut short', async () => {
    const cut = original.subarray(0, Math.floor(original.length / 2));
    expect(await findingsOf(cut)).toContainEqual(expect.objectContaining({ kind: 'truncated' }));
    const atLine = file(lines.slice(0, -3));
    expect(await findingsOf(atLine)).toContainEqual(expect.objectContaining({ kind: 'truncated', message: expect.stringContaining('without its signature line') }));
  });

  it('finds a whole session dropped from the middle of the range, each of its events by position', async () => {
    const dropped = sessions[2]!;
    const gone = events.filter((line) => line.event.correlationId === dropped);
    expect(gone).toHaveLength(4);
    const findings = await findingsOf(file(lines.filter((line) => !(line.startsWith('{"kind":"event"') && (JSON.parse(line) as EventLine).event.correlationId === dropped))));
    const [first, last] = [gone[0]!.position, gone.at(-1)!.position];
    expect(last - first).toBe(3);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', position: first, message: `positions ${first}..${last} are missing` }));
    // Each of its streams has a head below the checkpoint and no event left in the bundle.
    for (const streamId of new Set(gone.map((line) => line.event.streamId))) {
      expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', streamId, streamVersion: 1, message: `stream ${streamId} has a head at version 1 but no event in the bundle` }));
    }
  });

  it('finds a bundle re-signed with a key it does not hold', async () => {
    const stranger = generateKeyPairSync('ed25519');
    const raw = Buffer.from(stranger.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const signed = JSON.parse(lines.at(-1)!) as { tenantId: string; exportId: string };
    const body = file(lines.slice(0, -1));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const keyId = keyIdOf(raw);
    const signature = sign(null, bundleSignatureMessage({ tenantId: signed.tenantId, exportId: signed.exportId, sha256 }), stranger.privateKey).toString('base64');
    const resigned = Buffer.concat([body, Buffer.from(`${JSON.stringify({ kind: 'signature', tenantId: signed.tenantId, exportId: signed.exportId, sha256, keyId, signature })}\n`)]);
    expect(await findingsOf(resigned)).toContainEqual(expect.objectContaining({ kind: 'unknown-key', message: expect.stringContaining(`signed by key ${keyId}, which the bundle does not hold`) }));
  });

  // Last: it rewrites the tenant's history in the database.
  it('finds a stream and its head rewritten in the database, leaves rebuilt, and exported again: the new tree does not extend the earlier export\'s', async () => {
    const stream = `session-${sessions[1]}`;
    const schema = pg.escapeIdentifier(h.db.schema);
    await inTransaction(h.db.pool, async (client) => {
      // As an attacker with the database would: new content, a chain that fits it, the head to match.
      const { rows } = await client.query<{ event_id: string; stream_version: string; content: ChainLink['event'] }>(`SELECT event_id, stream_version, content FROM ${schema}.events WHERE stream_id = $1 ORDER BY stream_version`, [stream]);
      let prev: string | null = null;
      for (const row of rows) {
        const content = canonicalEntry({ ...row.content, data: { planner: 'Mallory', attempt: 1 } });
        const hash = chainHash(prev, Number(row.stream_version), content);
        await client.query(`UPDATE ${schema}.events SET content = $2::json, prev_hash = $3, hash = $4 WHERE event_id = $1`, [row.event_id, content, prev === null ? null : Buffer.from(prev, 'hex'), Buffer.from(hash, 'hex')]);
        prev = hash;
      }
      await client.query(`UPDATE ${schema}.streams SET last_hash = $2 WHERE stream_id = $1`, [stream, Buffer.from(prev!, 'hex')]);
    });
    // And the tenant's tree rebuilt over the rewritten log, so a new checkpoint signs it.
    await inTransaction(h.db.pool, async (client) => {
      const leaves = (await client.query<{ position: string; event_id: string }>(`SELECT position, event_id FROM ${h.tables.leaves} WHERE tenant_id = 'acme' ORDER BY position`)).rows;
      const links = await h.store.readChainAll({ tenantId: 'acme', maxCount: 100_000 });
      let tree = emptyRange;
      for (const [index, leaf] of leaves.entries()) {
        const link = links.find((candidate) => candidate.event.eventId === leaf.event_id)!;
        const hash = leafHash(canonicalEntry(link.event));
        tree = appendLeaf(tree, hash);
        await client.query(`UPDATE ${h.tables.leaves} SET leaf_hash = $3, chain_hash = $4 WHERE tenant_id = 'acme' AND position = $1 AND event_id = $2`, [index, leaf.event_id, hash, Buffer.from(link.hash, 'hex')]);
      }
      await client.query(`UPDATE ${h.tables.trees} SET frontier = $2::bytea[] WHERE tenant_id = $1`, ['acme', tree.frontier]);
    });
    expect((await h.store.verifyStream(stream)).ok).toBe(true);
    const rewrittenId = await h.exportNow('acme', { previousExportId: originalId });
    const rewritten = await h.bundle('acme', rewrittenId);
    expect(rewritten.toString()).toContain('"planner":"Mallory"');
    // Its events, chains, heads, range proof and signatures all hold: only the consistency proof
    // from the earlier export's signed checkpoint fails, on its own and beside the earlier bundle.
    const rewrittenAlone = `the tree of ${events.length + 3} events does not extend the previous export's tree of ${events.length}: history before position ${events.length} was rewritten`;
    expect(await findingsOf(rewritten)).toEqual([{ kind: 'altered', message: rewrittenAlone }]);
    expect(await findingsOf(rewritten, original)).toContainEqual(expect.objectContaining({ kind: 'altered', message: rewrittenAlone }));
  });
});
