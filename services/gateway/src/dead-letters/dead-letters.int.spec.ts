import { randomBytes } from 'node:crypto';
import { DeadLetterIndex, DeadLetterQueries, type DeadLetterEntry } from '@agent-orchestrator/read-models';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';

interface Listed {
  items: { id: string; tenantId: string | null; consumer: string; errorCode: string; status: string }[];
  nextCursor: string | null;
}

describe('the dead-letter routes', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  let index: DeadLetterIndex;
  const platformKey = `platform-${randomBytes(16).toString('hex')}`;
  const keys = { admin: '', operator: '', approver: '', auditor: '', viewer: '', globexOperator: '' };

  const entry = (id: string, overrides: Partial<DeadLetterEntry>): DeadLetterEntry => ({
    id,
    source: 'dead-letter',
    tenantId: 'acme',
    consumer: 'tool-adapters',
    errorCode: 'Rejected',
    reason: 'the run is gone',
    attempts: 1,
    sourceTopic: 'events.policycheck',
    sourcePartition: 1,
    sourceOffset: '9',
    sessionId: 'session-1',
    tool: 'crm',
    messageType: 'PolicyDecisionRecorded',
    seenAt: new Date('2026-11-20T10:00:00.000Z'),
    redriveCount: 0,
    key: 'policycheck-1',
    headers: { 'event-type': 'PolicyDecisionRecorded', 'dlq-reason': 'the run is gone' },
    value: Buffer.from(JSON.stringify({ type: 'PolicyDecisionRecorded', data: { tool: 'crm__createLead' } })),
    position: 1,
    sideEffect: { repeats: true, why: 'runs POST crm.createLead' },
    ...overrides,
  });

  beforeAll(async () => {
    db = await createTestSchema('gateway_dead_letters');
    const tenancy = await db.tenantDatabase();
    const schema = `${db.schema}_read`;
    index = new DeadLetterIndex(db.pool, schema, tenancy.appRole.name);
    await index.setUp();
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: undefined, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024, platformAdminApiKey: platformKey },
      { logger: pino({ level: 'silent' }), database: tenancy, deadLetters: new DeadLetterQueries(tenancy, schema) },
    );
    const apiKeys = new ApiKeyStore(tenancy, db.schema);
    for (const role of ['admin', 'operator', 'approver', 'auditor', 'viewer'] as const) keys[role] = (await apiKeys.create({ tenantId: 'acme', name: role, roles: [role], createdBy: 'spec' })).apiKey;
    keys.globexOperator = (await apiKeys.create({ tenantId: 'globex', name: 'globex operator', roles: ['operator'], createdBy: 'spec' })).apiKey;
    await index.upsert(entry('dl-acme-1', {}));
    await index.upsert(entry('dl-acme-2', { errorCode: 'InvalidMessage', consumer: 'orchestrator', tool: null, seenAt: new Date('2026-11-21T10:00:00.000Z'), value: Buffer.from([0xff, 0x00, 0x7b]), headers: {} }));
    await index.upsert(entry('dl-acme-3', { seenAt: new Date('2026-11-22T10:00:00.000Z') }));
    await index.markDiscarded('dl-acme-3', { operationId: 'op-1', at: new Date('2026-11-23T10:00:00.000Z'), reason: 'bad data' });
    await index.upsert(entry('dl-globex', { tenantId: 'globex' }));
    await index.upsert(entry('dl-nobody', { tenantId: null, value: Buffer.from('{"cut off'), messageType: null }));
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await db?.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_read" CASCADE`);
    await db?.dispose();
  });

  const list = async (key: string, query = '') => {
    const answer = await gateway.call('GET', `/v1/dead-letters${query}`, { key });
    expect(answer.status).toBe(200);
    return answer.json as Listed;
  };

  it("lists the caller's tenant's dead letters, newest first, to its operators and admins", async () => {
    for (const key of [keys.admin, keys.operator]) expect((await list(key)).items.map((item) => item.id)).toEqual(['dl-acme-3', 'dl-acme-2', 'dl-acme-1']);
    expect((await list(keys.globexOperator)).items.map((item) => item.id)).toEqual(['dl-globex']);
    for (const key of [keys.approver, keys.auditor, keys.viewer]) expect((await gateway.call('GET', '/v1/dead-letters', { key })).status).toBe(403);
  });

  it('filters by consumer, code, tool, status and time, and pages with a cursor', async () => {
    expect((await list(keys.operator, '?consumer=orchestrator')).items.map((item) => item.id)).toEqual(['dl-acme-2']);
    expect((await list(keys.operator, '?code=Rejected&status=pending')).items.map((item) => item.id)).toEqual(['dl-acme-1']);
    expect((await list(keys.operator, '?tool=crm')).items.map((item) => item.id)).toEqual(['dl-acme-3', 'dl-acme-1']);
    expect((await list(keys.operator, '?since=2026-11-21T00:00:00Z&until=2026-11-22T00:00:00Z')).items.map((item) => item.id)).toEqual(['dl-acme-2']);
    const first = await list(keys.operator, '?limit=2');
    expect(first.items.map((item) => item.id)).toEqual(['dl-acme-3', 'dl-acme-2']);
    const second = await list(keys.operator, `?limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({ items: [expect.objectContaining({ id: 'dl-acme-1' })], nextCursor: null });
  });

  it('refuses a bad query, and a tenant chosen by a key of a tenant', async () => {
    for (const query of ['?cursor=not-a-cursor', '?status=lost', '?since=yesterday', '?limit=0', '?colour=red']) {
      const answer = await gateway.call('GET', `/v1/dead-letters${query}`, { key: keys.operator });
      expect({ query, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ query, status: 400, type: expect.stringContaining('application/problem+json') });
    }
    expect((await gateway.call('GET', '/v1/dead-letters?tenant=globex', { key: keys.admin })).status).toBe(403);
  });

  it('shows the platform admin every tenant, the undecodable one included, or one tenant', async () => {
    expect((await list(platformKey)).items.map((item) => item.id).sort()).toEqual(['dl-acme-1', 'dl-acme-2', 'dl-acme-3', 'dl-globex', 'dl-nobody']);
    expect((await list(platformKey, '?tenant=globex')).items.map((item) => item.id)).toEqual(['dl-globex']);
  });

  it('shows one dead letter with its message decoded: JSON when it is, base64 with a note when not', async () => {
    const json = await gateway.call('GET', '/v1/dead-letters/dl-acme-1', { key: keys.operator });
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({
      id: 'dl-acme-1',
      tenantId: 'acme',
      consumer: 'tool-adapters',
      reason: 'the run is gone',
      sourceTopic: 'events.policycheck',
      sourceOffset: '9',
      firstSeen: '2026-11-20T10:00:00.000Z',
      repeatsSideEffect: true,
      message: { key: 'policycheck-1', headers: { 'dlq-reason': 'the run is gone' }, value: { encoding: 'json', json: { type: 'PolicyDecisionRecorded', data: { tool: 'crm__createLead' } } } },
    });
    const bytes = await gateway.call('GET', '/v1/dead-letters/dl-acme-2', { key: keys.admin });
    expect(bytes.json).toMatchObject({ message: { value: { encoding: 'base64', base64: Buffer.from([0xff, 0x00, 0x7b]).toString('base64'), note: expect.stringContaining('not JSON') } } });
    expect((await gateway.call('GET', '/v1/dead-letters/dl-acme-3', { key: keys.operator })).json).toMatchObject({ status: 'discarded', discardReason: 'bad data', actedBy: 'op-1' });
  });

  it("answers 404 for another tenant's dead letter and for one of no tenant, but shows both to the platform admin", async () => {
    for (const id of ['dl-globex', 'dl-nobody', 'dl-unknown']) {
      const answer = await gateway.call('GET', `/v1/dead-letters/${id}`, { key: keys.admin });
      expect({ id, status: answer.status }).toEqual({ id, status: 404 });
    }
    expect((await gateway.call('GET', '/v1/dead-letters/dl-globex', { key: platformKey })).json).toMatchObject({ tenantId: 'globex' });
    expect((await gateway.call('GET', '/v1/dead-letters/dl-nobody', { key: platformKey })).json).toMatchObject({ tenantId: null, message: { value: { encoding: 'base64' } } });
  });
});
