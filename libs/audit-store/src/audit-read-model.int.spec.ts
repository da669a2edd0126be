import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import type { TenantDatabase } from '@agent-orchestrator/postgres';
import { AuditReadModel } from './audit-read-model.js';
import { migrateAuditStore, type AuditTables } from './tables.js';

/** The gateway's view: the application role, under row-level security, reading what the audit service wrote. */
describe('AuditReadModel', () => {
  let db: TestSchema;
  let tenancy: TenantDatabase;
  let tables: AuditTables;
  let model: AuditReadModel;
  const exportA = '11111111-1111-4111-8111-111111111111';
  const exportB = '22222222-2222-4222-8222-222222222222';
  const exportOld = '33333333-3333-4333-8333-333333333333';

  beforeAll(async () => {
    db = await createTestSchema('audit_read_model');
    tenancy = await db.tenantDatabase();
    // Twice, at once, as the gateway and the audit service starting together would.
    [tables] = await Promise.all([migrateAuditStore(db.pool, { schema: db.schema, appRole: tenancy.appRole.name }), migrateAuditStore(db.pool, { schema: db.schema, appRole: tenancy.appRole.name })]);
    model = AuditReadModel.open({ pool: tenancy.tenantPool, schema: db.schema });
    const insertExport = `INSERT INTO ${tables.exports} (export_id, tenant_id, status, request, requested_at, requested_by, written, total, checkpoint, events, bytes, sha256, completed_at, expires_at, verification)
                          VALUES ($1, $2, $3, $4, $5, 'auditor-1', $6, $7, $8, $9, $10, $11, $12, $13, $14)`;
    const checkpoint = { treeSize: 5, rootHash: 'ab'.repeat(32), signedAt: '2026-11-01T10:00:00.000Z', keyId: '0123456789abcdef' };
    await db.pool.query(insertExport, [exportA, 'acme', 'completed', { from: '2026-01-01T00:00:00Z' }, '2026-11-02T10:00:00Z', 5, 5, checkpoint, 5, 3, 'cd'.repeat(32), '2026-11-02T10:00:05Z', '2027-05-01T10:00:05Z', { ok: true, summary: 'verified', findings: [] }]);
    await db.pool.query(insertExport, [exportOld, 'acme', 'running', {}, '2026-11-01T10:00:00Z', 2, null, null, null, null, null, null, null, null]);
    await db.pool.query(insertExport, [exportB, 'globex', 'completed', {}, '2026-11-03T10:00:00Z', 1, 1, checkpoint, 1, 3, 'ef'.repeat(32), '2026-11-03T10:00:05Z', '2027-05-01T10:00:05Z', null]);
    await db.pool.query(`INSERT INTO ${tables.chunks} (export_id, seq, tenant_id, data) VALUES ($1, 0, 'acme', 'ab'), ($1, 1, 'acme', 'c'), ($2, 0, 'globex', 'xyz')`, [exportA, exportB]);
    await db.pool.query(
      `INSERT INTO ${tables.keys} (tenant_id, key_id, fingerprint, public_key, valid_from, valid_until, previous_key_id, endorsement) VALUES
         ('acme', 'aaaaaaaaaaaaaaaa', $1, 'AAAA', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', NULL, NULL),
         ('acme', 'bbbbbbbbbbbbbbbb', $2, 'BBBB', '2026-06-01T00:00:00Z', NULL, 'aaaaaaaaaaaaaaaa', 'c2ln'),
         ('globex', 'cccccccccccccccc', $1, 'CCCC', '2026-01-01T00:00:00Z', NULL, NULL, NULL)`,
      ['a'.repeat(64), 'b'.repeat(64)],
    );
    await db.pool.query(
      `INSERT INTO ${tables.checkpoints} (event_id, tenant_id, tree_size, root_hash, signed_at, key_id, signature, reason) VALUES
         (gen_random_uuid(), 'acme', 3, $1, '2026-11-01T09:00:00Z', 'bbbbbbbbbbbbbbbb', 'c2ln', 'interval'),
         (gen_random_uuid(), 'acme', 5, $1, '2026-11-01T10:00:00Z', 'bbbbbbbbbbbbbbbb', 'c2ln', 'export'),
         (gen_random_uuid(), 'globex', 9, $1, '2026-11-01T11:00:00Z', 'cccccccccccccccc', 'c2ln', 'requested')`,
      ['ab'.repeat(32)],
    );
    await db.pool.query(`INSERT INTO ${tables.retention} (tenant_id, days, set_at) VALUES ('globex', 400, '2026-10-01T00:00:00Z')`);
  });
  afterAll(() => db.dispose());

  it("lists a tenant's exports newest first, pages by requestedAt, and never shows another tenant's", async () => {
    const all = await model.listExports('acme', { limit: 10 });
    expect(all.map((record) => record.exportId)).toEqual([exportA, exportOld]);
    expect(all[0]).toEqual({
      exportId: exportA,
      tenantId: 'acme',
      status: 'completed',
      request: { from: '2026-01-01T00:00:00Z' },
      requestedAt: '2026-11-02T10:00:00.000Z',
      requestedBy: 'auditor-1',
      progress: { written: 5, total: 5 },
      checkpoint: { treeSize: 5, rootHash: 'ab'.repeat(32), signedAt: '2026-11-01T10:00:00.000Z', keyId: '0123456789abcdef' },
      events: 5,
      bytes: 3,
      sha256: 'cd'.repeat(32),
      completedAt: '2026-11-02T10:00:05.000Z',
      expiresAt: '2027-05-01T10:00:05.000Z',
      error: null,
      verification: { ok: true, summary: 'verified', findings: [] },
    });
    expect((await model.listExports('acme', { limit: 1, before: all[0]!.requestedAt })).map((record) => record.exportId)).toEqual([exportOld]);
    expect(await model.getExport('acme', exportB)).toBeUndefined();
    expect(await model.getExport('acme', 'not-a-uuid')).toBeUndefined();
    expect((await model.getExport('globex', exportB))?.status).toBe('completed');
    expect((await model.getExport('acme', exportOld))?.progress).toEqual({ written: 2, total: null });
  });

  it('streams a completed bundle chunk by chunk, and nothing of a running one or of another tenant', async () => {
    const read = async (tenantId: string, exportId: string) => {
      const chunks: string[] = [];
      for await (const chunk of model.bundle(tenantId, exportId)) chunks.push(chunk.toString('utf8'));
      return chunks;
    };
    expect(await read('acme', exportA)).toEqual(['ab', 'c']);
    expect(await read('acme', exportOld)).toEqual([]);
    expect(await read('acme', exportB)).toEqual([]);
    expect(await read('globex', exportB)).toEqual(['xyz']);
  });

  it("gives keys oldest first, checkpoints newest first, and the retention (180 days when never set), each of the tenant's own", async () => {
    expect(await model.keys('acme')).toEqual([
      { keyId: 'aaaaaaaaaaaaaaaa', fingerprint: 'a'.repeat(64), publicKey: 'AAAA', validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2026-06-01T00:00:00.000Z', previousKeyId: null },
      { keyId: 'bbbbbbbbbbbbbbbb', fingerprint: 'b'.repeat(64), publicKey: 'BBBB', validFrom: '2026-06-01T00:00:00.000Z', validUntil: null, previousKeyId: 'aaaaaaaaaaaaaaaa' },
    ]);
    expect((await model.checkpoints('acme', { limit: 10 })).map((c) => [c.treeSize, c.reason])).toEqual([
      [5, 'export'],
      [3, 'interval'],
    ]);
    expect(await model.checkpoints('acme', { limit: 1 })).toHaveLength(1);
    expect(await model.retention('acme')).toEqual({ days: 180, setAt: null });
    expect(await model.retention('globex')).toEqual({ days: 400, setAt: '2026-10-01T00:00:00.000Z' });
  });

  it('may only read: the application role cannot write an export, and cannot see the builder cursor', async () => {
    await expect(tenancy.tenantPool.query(`UPDATE ${tables.exports} SET status = 'failed'`)).rejects.toMatchObject({ code: '42501' });
    await expect(tenancy.tenantPool.query(`SELECT * FROM ${tables.builder}`)).rejects.toMatchObject({ code: '42501' });
  });
});
