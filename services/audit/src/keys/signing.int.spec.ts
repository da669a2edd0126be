import { generateKeyPairSync, verify } from 'node:crypto';
import { checkpointMessage, keyEndorsementMessage, rootOf } from '@agent-orchestrator/audit-proof';
import { auditStream, type AuditEvent, type EventEnvelope } from '@agent-orchestrator/contracts';
import { appendSessions, openAuditHarness, type AuditHarness } from '../audit-harness.behaviour.js';
import { signingKeySecret } from './signing-keys.js';

const publicKeyOf = (base64: string) => ({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(base64, 'base64')]), format: 'der' as const, type: 'spki' as const });

/** Keys in the secret store, their public records in the tenant's audit stream, checkpoints signed by the active one. */
describe('signing keys and checkpoints', () => {
  let h: AuditHarness;
  beforeAll(async () => {
    h = await openAuditHarness('audit_signing');
  });
  afterAll(() => h.dispose());

  const auditEvents = async (tenantId: string) => (await h.store.readStream(auditStream(tenantId))) as Array<EventEnvelope & AuditEvent>;
  const leafHashes = async (tenantId: string, size: number) =>
    (await h.db.pool.query<{ leaf_hash: Buffer }>(`SELECT leaf_hash FROM ${h.tables.leaves} WHERE tenant_id = $1 AND position < $2 ORDER BY position`, [tenantId, size])).rows.map((row) => row.leaf_hash);

  it("makes the tenant's first key when first needed, and signs a checkpoint over every event of the log's end as it was", async () => {
    await appendSessions(h.store, 'acme', 2, 5);
    const checkpoint = await h.checkpointer.sign('acme', 'requested');
    const [activated, signed] = await auditEvents('acme');
    expect(activated).toMatchObject({ type: 'AuditKeyActivated', data: { keyId: checkpoint.keyId, previousKeyId: null, endorsement: null } });
    expect(signed).toMatchObject({ type: 'AuditCheckpointSigned', data: { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, keyId: checkpoint.keyId, reason: 'requested' } });
    // The 10 session events and the key's own event: the checkpoint's event comes after it.
    expect(checkpoint.treeSize).toBe(11);
    expect(checkpoint.rootHash).toBe(rootOf(await leafHashes('acme', checkpoint.treeSize)).toString('hex'));
    const { signature, ...unsigned } = checkpoint;
    expect(verify(null, Buffer.from(checkpointMessage(unsigned)), publicKeyOf(activated!.type === 'AuditKeyActivated' ? activated!.data.publicKey : ''), Buffer.from(signature, 'base64'))).toBe(true);
    expect(await h.secrets.list('acme')).toEqual([expect.objectContaining({ name: signingKeySecret(checkpoint.keyId) })]);
  });

  it('rotates to a key endorsed by the old one, and signs with the new key from then on', async () => {
    const [first] = await auditEvents('acme');
    await h.keys.rotate('acme');
    const rotated = (await auditEvents('acme')).filter((event) => event.type === 'AuditKeyActivated').at(-1)!;
    if (rotated.type !== 'AuditKeyActivated' || first?.type !== 'AuditKeyActivated') throw new Error('expected key activations');
    expect(rotated.data.previousKeyId).toBe(first.data.keyId);
    const record = { tenantId: 'acme', keyId: rotated.data.keyId, publicKey: rotated.data.publicKey, validFrom: rotated.data.validFrom };
    expect(verify(null, Buffer.from(keyEndorsementMessage(record)), publicKeyOf(first.data.publicKey), Buffer.from(rotated.data.endorsement!, 'base64'))).toBe(true);
    const checkpoint = await h.checkpointer.sign('acme', 'requested');
    expect(checkpoint.keyId).toBe(rotated.data.keyId);
    await h.builder.catchUpTo(await h.store.lastPosition());
    const keys = (await h.db.pool.query(`SELECT key_id, valid_until, previous_key_id FROM ${h.tables.keys} WHERE tenant_id = 'acme' ORDER BY valid_from`)).rows;
    expect(keys).toEqual([
      { key_id: first.data.keyId, valid_until: new Date(rotated.data.validFrom), previous_key_id: null },
      { key_id: rotated.data.keyId, valid_until: null, previous_key_id: first.data.keyId },
    ]);
  });

  it('refuses to sign, naming the secret, when the private key was replaced or is missing; an export then fails saying so', async () => {
    await appendSessions(h.store, 'globex', 1, 3);
    const { keyId } = await h.checkpointer.sign('globex', 'requested');
    const before = (await auditEvents('globex')).length;
    const impostor = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    await h.secrets.put('globex', signingKeySecret(keyId), impostor);
    await expect(h.checkpointer.sign('globex', 'requested')).rejects.toMatchObject({ name: 'SigningRefused', message: expect.stringContaining(`audit.signing-key.${keyId} holds a private key that is not the half of the public key on record`) });
    const exportId = await h.exportNow('globex');
    const failed = (await h.db.pool.query(`SELECT status, error FROM ${h.tables.exports} WHERE export_id = $1`, [exportId])).rows[0];
    expect(failed).toEqual({ status: 'failed', error: expect.stringContaining(`audit.signing-key.${keyId}`) });
    expect((await auditEvents('globex')).slice(before).map((event) => event.type)).toEqual(['AuditExportRequested', 'AuditExportFailed']);
    await h.secrets.delete('globex', signingKeySecret(keyId));
    await expect(h.checkpointer.sign('globex', 'interval')).rejects.toThrow(`the secret audit.signing-key.${keyId} that holds its private key is missing from the secret store`);
    await expect(h.keys.rotate('globex')).rejects.toMatchObject({ name: 'SigningRefused' });
  });

  it('signs on the interval for each tenant whose tree grew by more than its own last checkpoint, and no other', async () => {
    await appendSessions(h.store, 'initech', 1, 2);
    await h.builder.catchUpTo(await h.store.lastPosition());
    const sizes = async () => (await h.db.pool.query<{ tenant_id: string; n: string }>(`SELECT tenant_id, count(*) AS n FROM ${h.tables.checkpoints} GROUP BY tenant_id ORDER BY tenant_id`)).rows;
    const before = await sizes();
    // acme's last checkpoint is its tree but for the checkpoint's own event; globex cannot sign; initech has none.
    expect(await h.checkpointer.signGrownTrees()).toBe(1);
    await h.builder.catchUpTo(await h.store.lastPosition());
    const after = await sizes();
    expect(after.find((row) => row.tenant_id === 'initech')?.n).toBe('1');
    expect(after.find((row) => row.tenant_id === 'acme')).toEqual(before.find((row) => row.tenant_id === 'acme'));
    expect(await h.checkpointer.signGrownTrees()).toBe(0);
  });
});
