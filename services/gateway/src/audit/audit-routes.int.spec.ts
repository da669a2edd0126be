import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { auditCommandMessageSchema, topicNames } from '@agent-orchestrator/contracts';
import { AuditReadModel, migrateAuditStore, type AuditTables } from '@agent-orchestrator/audit-store';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';
import { storeExport, storeKeysAndCheckpoints } from './audit-fixtures.js';

interface SentMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
}

/** A download as the bytes on the wire, undecoded (fetch would gunzip behind our back). */
function download(url: string, path: string, key: string, acceptEncoding?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}${path}`, { headers: { authorization: `Bearer ${key}`, ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

describe('the audit routes', () => {
  let db: TestSchema;
  let tables: AuditTables;
  let store: PostgresEventStore;
  let gateway: GatewayUnderTest;
  const sent: SentMessage[] = [];
  const keys = { admin: '', auditor: '', viewer: '', operator: '', otherAuditor: '' };
  const completed = randomUUID();
  const running = randomUUID();
  const failed = randomUUID();
  const expired = randomUUID();
  const globexCompleted = randomUUID();
  // Three stored chunks, the way the service stores a bundle (~1 MiB each there, smaller here).
  const bundle = [0, 1, 2].map((part) => Buffer.from(Array.from({ length: 2000 }, (_, line) => `${JSON.stringify({ kind: 'event', position: part * 2000 + line, hash: randomBytes(32).toString('hex') })}\n`).join('')));

  beforeAll(async () => {
    db = await createTestSchema('gateway_audit');
    const tenancy = await db.tenantDatabase();
    tables = await migrateAuditStore(db.pool, { schema: `${db.schema}_audit`, appRole: tenancy.appRole.name });
    store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    // Stands in for the audit service: records each requested export as it would, a moment later.
    const producer = {
      send: async (messages: SentMessage[]) => {
        sent.push(...messages);
        for (const { command } of messages.map((message) => auditCommandMessageSchema.parse(JSON.parse(message.value)))) {
          if (command.type !== 'RequestAuditExport') continue;
          // Dated before the fixtures, so the listing spec knows which come first.
          const requestedAt = new Date(Date.UTC(2026, 0, 1) + sent.length * 1000).toISOString();
          setTimeout(() => void storeExport(db.pool, tables, { exportId: command.exportId, tenantId: command.metadata.tenantId, status: 'requested', requestedAt }), 50);
        }
      },
    } as unknown as MessageProducer;
    const unused = {} as never;
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: undefined, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024 },
      {
        logger: pino({ level: 'silent' }),
        database: tenancy,
        adminLogStore: store,
        sessions: { store, producer, topics: topicNames(), queries: unused, modelCalls: unused, approvals: unused },
        audit: AuditReadModel.open({ pool: tenancy.tenantPool, schema: `${db.schema}_audit` }),
      },
    );
    const apiKeys = new ApiKeyStore(tenancy, db.schema);
    for (const role of ['admin', 'auditor', 'viewer', 'operator'] as const) keys[role] = (await apiKeys.create({ tenantId: 'acme', name: role, roles: [role], createdBy: 'spec' })).apiKey;
    keys.otherAuditor = (await apiKeys.create({ tenantId: 'globex', name: 'globex auditor', roles: ['auditor'], createdBy: 'spec' })).apiKey;
    await storeExport(db.pool, tables, { exportId: completed, tenantId: 'acme', status: 'completed', requestedAt: '2026-11-02T10:00:00Z', bundle });
    await storeExport(db.pool, tables, { exportId: running, tenantId: 'acme', status: 'running', requestedAt: '2026-11-03T10:00:00Z' });
    await storeExport(db.pool, tables, { exportId: failed, tenantId: 'acme', status: 'failed', requestedAt: '2026-11-01T10:00:00Z', error: 'the checkpoint could not be signed' });
    await storeExport(db.pool, tables, { exportId: expired, tenantId: 'acme', status: 'expired', requestedAt: '2026-05-01T10:00:00Z' });
    await storeExport(db.pool, tables, { exportId: globexCompleted, tenantId: 'globex', status: 'completed', requestedAt: '2026-11-04T10:00:00Z', bundle: [Buffer.from('{"kind":"manifest"}\n')] });
    await storeKeysAndCheckpoints(db.pool, tables, 'acme');
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_audit" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE`);
    await db?.dispose();
  });

  const lastCommand = () => auditCommandMessageSchema.parse(JSON.parse(sent.at(-1)!.value));

  it('accepts an export request from an auditor with 202 and its id, and sends RequestAuditExport on commands.audit keyed by the tenant', async () => {
    const answer = await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor, body: { from: '2026-11-01T12:00:00+02:00', to: '2026-11-02T00:00:00Z' } });
    expect(answer.status).toBe(202);
    const { exportId } = answer.json as { exportId: string };
    expect(answer.headers.get('location')).toBe(`/v1/audit/exports/${exportId}`);
    // Answered once the service recorded it: the Location is there to be read at once.
    expect((await gateway.call('GET', `/v1/audit/exports/${exportId}`, { key: keys.auditor })).json).toMatchObject({ exportId, status: 'requested' });
    expect(sent.at(-1)).toMatchObject({ topic: 'commands.audit', key: 'audit-acme' });
    const { command } = lastCommand();
    expect(command).toMatchObject({ type: 'RequestAuditExport', exportId, range: { from: '2026-11-01T10:00:00.000Z', to: '2026-11-02T00:00:00.000Z' }, metadata: { tenantId: 'acme', correlationId: exportId } });
    expect(command.metadata.actor).toMatchObject({ kind: 'user' });
  });

  it('takes sessions instead of a range, and a completed export to prove against', async () => {
    const sessionIds = [randomUUID(), randomUUID()];
    const answer = await gateway.call('POST', '/v1/audit/exports', { key: keys.admin, body: { sessionIds, previousExportId: completed } });
    expect(answer.status).toBe(202);
    expect(lastCommand().command).toMatchObject({ type: 'RequestAuditExport', range: { sessionIds, previousExportId: completed } });
    expect((await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor })).status).toBe(422);
    expect((await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor, body: {} })).status).toBe(202);
  });

  it.each([
    ['an unknown field', { from: '2026-11-01T00:00:00Z', format: 'csv' }, '#/format'],
    ['"to" before "from"', { from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, '#/to'],
    ['"to" equal to "from"', { from: '2026-11-02T00:00:00Z', to: '2026-11-02T00:00:00Z' }, '#/to'],
    ['an instant without a zone', { from: '2026-11-02T00:00:00' }, '#/from'],
    ['more than 100 sessions', { sessionIds: Array.from({ length: 101 }, () => randomUUID()) }, '#/sessionIds'],
    ['no sessions', { sessionIds: [] }, '#/sessionIds'],
    ['sessions and a range', { sessionIds: [randomUUID()], from: '2026-11-01T00:00:00Z' }, '#/sessionIds'],
    ['a previous export that is no id', { previousExportId: 'latest' }, '#/previousExportId'],
  ])('refuses %s with 422 naming the field, sending nothing', async (_, body, pointer) => {
    const before = sent.length;
    const answer = await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor, body });
    expect(answer.status).toBe(422);
    expect((answer.json as { errors: { pointer: string }[] }).errors.map((error) => error.pointer)).toContain(pointer);
    expect(sent.length).toBe(before);
  });

  it('refuses a previous export that never completed: 404 for none or another tenant\'s, 409 for one running or failed; an expired one still proves', async () => {
    const before = sent.length;
    const missing = await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor, body: { previousExportId: randomUUID() } });
    expect(missing.status).toBe(404);
    expect((await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor, body: { previousExportId: globexCompleted } })).status).toBe(404);
    for (const exportId of [running, failed]) {
      const answer = await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor, body: { previousExportId: exportId } });
      expect(answer.status).toBe(409);
      expect((answer.json as { detail: string }).detail).toMatch(/completed export/);
    }
    expect(sent.length).toBe(before);
    expect((await gateway.call('POST', '/v1/audit/exports', { key: keys.auditor, body: { previousExportId: expired } })).status).toBe(202);
  });

  it('lists the tenant\'s exports newest first, a page at a time, and nothing of another tenant', async () => {
    const first = await gateway.call('GET', '/v1/audit/exports?limit=2', { key: keys.auditor });
    expect(first.status).toBe(200);
    const page = first.json as { items: { exportId: string }[]; nextCursor: string };
    expect(page.items.map((item) => item.exportId)).toEqual([running, completed]);
    const second = (await gateway.call('GET', `/v1/audit/exports?limit=2&before=${encodeURIComponent(page.nextCursor)}`, { key: keys.auditor })).json as { items: { exportId: string }[]; nextCursor: string | null };
    expect(second.items.map((item) => item.exportId)).toEqual([failed, expired]);
    let cursor = second.nextCursor;
    let pages = 0;
    for (; cursor !== null; pages++) cursor = ((await gateway.call('GET', `/v1/audit/exports?limit=2&before=${encodeURIComponent(cursor)}`, { key: keys.auditor })).json as { nextCursor: string | null }).nextCursor;
    expect(pages).toBeGreaterThan(0);
    expect((await gateway.call('GET', '/v1/audit/exports?before=yesterday', { key: keys.auditor })).status).toBe(400);
    const globex = (await gateway.call('GET', '/v1/audit/exports', { key: keys.otherAuditor })).json as { items: { exportId: string }[] };
    expect(globex.items.map((item) => item.exportId)).toEqual([globexCompleted]);
  });

  it("answers one export with its progress, checkpoint and verification; another tenant's id is a 404 that says nothing of it", async () => {
    const answer = await gateway.call('GET', `/v1/audit/exports/${completed}`, { key: keys.auditor });
    expect(answer.json).toMatchObject({ exportId: completed, status: 'completed', progress: { written: 42, total: 42 }, checkpoint: { treeSize: 42 }, verification: { ok: true } });
    const foreign = await gateway.call('GET', `/v1/audit/exports/${globexCompleted}`, { key: keys.auditor });
    const unknown = await gateway.call('GET', `/v1/audit/exports/${randomUUID()}`, { key: keys.auditor });
    expect(foreign.status).toBe(404);
    expect((foreign.json as { detail: string }).detail.replace(globexCompleted, 'ID')).toBe((unknown.json as { detail: string }).detail.replace(/[0-9a-f-]{36}/, 'ID'));
    expect((await gateway.call('GET', '/v1/audit/exports/not-an-id', { key: keys.auditor })).status).toBe(404);
  });

  it('downloads a completed bundle as an NDJSON attachment, byte for byte, with its length', async () => {
    const answer = await download(gateway.url, `/v1/audit/exports/${completed}/bundle`, keys.auditor);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(answer.headers['content-disposition']).toBe(`attachment; filename="audit-acme-${completed}.ndjson"`);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['content-length']).toBe(String(Buffer.concat(bundle).length));
    expect(answer.body.equals(Buffer.concat(bundle))).toBe(true);
  });

  it('compresses the download with gzip when the client accepts it, and not when it refuses gzip by name', async () => {
    const zipped = await download(gateway.url, `/v1/audit/exports/${completed}/bundle`, keys.auditor, 'br;q=1, gzip;q=0.8');
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(zipped.body.length).toBeLessThan(Buffer.concat(bundle).length);
    expect(gunzipSync(zipped.body).equals(Buffer.concat(bundle))).toBe(true);
    const refused = await download(gateway.url, `/v1/audit/exports/${completed}/bundle`, keys.auditor, 'gzip;q=0, identity');
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(Buffer.concat(bundle))).toBe(true);
  });

  it('answers 409 for a bundle still being written or failed, 410 for an expired one, 404 for another tenant\'s', async () => {
    const problem = async (exportId: string) => {
      const answer = await download(gateway.url, `/v1/audit/exports/${exportId}/bundle`, keys.auditor, 'gzip');
      return { status: answer.status, type: answer.headers['content-type'], detail: (JSON.parse(answer.body.toString()) as { detail: string }).detail };
    };
    expect(await problem(running)).toEqual({ status: 409, type: expect.stringMatching(/^application\/problem\+json/), detail: expect.stringMatching(/still being written \(7 of 42 events\)/) });
    expect(await problem(failed)).toMatchObject({ status: 409, detail: expect.stringMatching(/the checkpoint could not be signed.*request a new export/) });
    expect(await problem(expired)).toMatchObject({ status: 410, detail: expect.stringMatching(/expired/) });
    expect(await problem(globexCompleted)).toMatchObject({ status: 404 });
  });

  it('shows the keys with fingerprints and periods, the checkpoints newest first, and the retention', async () => {
    const listed = await gateway.call('GET', '/v1/audit/keys', { key: keys.auditor });
    expect(listed.json).toEqual({
      currentKeyId: 'bbbbbbbbbbbbbbbb',
      items: [
        { keyId: 'aaaaaaaaaaaaaaaa', fingerprint: 'a'.repeat(64), publicKey: 'AAAA', validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2026-06-01T00:00:00.000Z', previousKeyId: null },
        { keyId: 'bbbbbbbbbbbbbbbb', fingerprint: 'b'.repeat(64), publicKey: 'BBBB', validFrom: '2026-06-01T00:00:00.000Z', validUntil: null, previousKeyId: 'aaaaaaaaaaaaaaaa' },
      ],
    });
    expect(((await gateway.call('GET', '/v1/audit/keys', { key: keys.otherAuditor })).json as { items: unknown[] }).items).toEqual([]);
    const checkpoints = (await gateway.call('GET', '/v1/audit/checkpoints?limit=5', { key: keys.auditor })).json as { items: { treeSize: number }[] };
    expect(checkpoints.items.map((checkpoint) => checkpoint.treeSize)).toEqual([42, 10]);
    expect((await gateway.call('GET', '/v1/audit/retention', { key: keys.auditor })).json).toEqual({ days: 180, minimumDays: 180, setAt: null });
  });

  it('sends RotateAuditKey, SignAuditCheckpoint and SetAuditRetention for the roles that may', async () => {
    expect((await gateway.call('POST', '/v1/audit/keys/rotate', { key: keys.admin })).status).toBe(202);
    expect(lastCommand().command.type).toBe('RotateAuditKey');
    expect((await gateway.call('POST', '/v1/audit/checkpoints', { key: keys.auditor })).status).toBe(202);
    expect(lastCommand().command.type).toBe('SignAuditCheckpoint');
    const retention = await gateway.call('PUT', '/v1/audit/retention', { key: keys.admin, body: { days: 400 } });
    expect(retention).toMatchObject({ status: 202, json: { days: 400, commandId: lastCommand().commandId } });
    expect(lastCommand().command).toMatchObject({ type: 'SetAuditRetention', days: 400 });
    expect((await gateway.call('PUT', '/v1/audit/retention', { key: keys.admin, body: { days: 179 } })).status).toBe(422);
    expect((await gateway.call('PUT', '/v1/audit/retention', { key: keys.admin, body: { days: 400, unit: 'days' } })).status).toBe(422);
  });

  it.each([
    ['viewer', 'GET', '/v1/audit/exports'],
    ['viewer', 'POST', '/v1/audit/exports'],
    ['viewer', 'GET', `/v1/audit/exports/${completed}`],
    ['viewer', 'GET', `/v1/audit/exports/${completed}/bundle`],
    ['viewer', 'GET', '/v1/audit/keys'],
    ['viewer', 'GET', '/v1/audit/checkpoints'],
    ['viewer', 'GET', '/v1/audit/retention'],
    ['operator', 'POST', '/v1/audit/exports'],
    ['operator', 'GET', '/v1/audit/exports'],
    ['auditor', 'POST', '/v1/audit/keys/rotate'],
    ['auditor', 'PUT', '/v1/audit/retention'],
  ] as const)('refuses the %s role %s %s with 403', async (role, method, path) => {
    const before = sent.length;
    const answer = await gateway.call(method, path, { key: keys[role], ...(method === 'GET' ? {} : { body: method === 'PUT' ? { days: 200 } : {} }) });
    expect(answer.status).toBe(403);
    expect(sent.length).toBe(before);
  });
});
