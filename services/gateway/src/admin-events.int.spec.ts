import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { randomBytes } from 'node:crypto';
import { startGatewayOnLog } from './gateway-under-test.js';

const adminKey = randomBytes(32).toString('base64url');

describe("the tenant's admin stream: API key changes and GET /v1/admin-events", () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  let adminKeyId: string;
  const stream = async () => gateway.store.readStream('admin-acme');

  beforeAll(async () => {
    db = await createTestSchema('gateway_admin_events');
    gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: adminKey, bootstrapTenant: 'acme' });
    const keys = await gateway.call('GET', '/v1/api-keys', { key: adminKey });
    adminKeyId = (keys.json as { items: { keyId: string }[] }).items[0]!.keyId;
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('records a created key and its revocation, once, saying which admin key acted and never the secret', async () => {
    const created = await gateway.call('POST', '/v1/api-keys', { key: adminKey, body: { name: 'ci-pipeline', roles: ['operator', 'approver'] } });
    expect(created.status).toBe(201);
    const { keyId, apiKey } = created.json as { keyId: string; apiKey: string };
    expect((await gateway.call('DELETE', `/v1/api-keys/${keyId}`, { key: adminKey })).status).toBe(204);
    expect((await gateway.call('DELETE', `/v1/api-keys/${keyId}`, { key: adminKey })).status).toBe(204);

    const events = await stream();
    expect(events.map((e) => ({ type: e.type, tenantId: e.tenantId, actor: e.actor, data: e.data }))).toEqual([
      { type: 'ApiKeyCreated', tenantId: 'acme', actor: { kind: 'user', id: `key:${adminKeyId}` }, data: { keyId, name: 'ci-pipeline', roles: ['operator', 'approver'], expiresAt: null } },
      { type: 'ApiKeyRevoked', tenantId: 'acme', actor: { kind: 'user', id: `key:${adminKeyId}` }, data: { keyId } },
    ]);
    expect(JSON.stringify(events)).not.toContain(apiKey.slice(-20));
  });

  it('records nothing for a refused request', async () => {
    const before = (await stream()).length;
    expect((await gateway.call('POST', '/v1/api-keys', { key: adminKey, body: { name: 'bad', roles: ['root'] } })).status).toBe(422);
    expect((await gateway.call('DELETE', `/v1/api-keys/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { key: adminKey })).status).toBe(404);
    expect(await stream()).toHaveLength(before);
  });

  it('pages through the stream for a tenant admin, and refuses roles that may not read it', async () => {
    for (const name of ['one', 'two', 'three']) await gateway.call('POST', '/v1/api-keys', { key: adminKey, body: { name, roles: ['viewer'] } });
    const all = await stream();
    const first = await gateway.call('GET', '/v1/admin-events?limit=2', { key: adminKey });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ items: JSON.parse(JSON.stringify(all.slice(0, 2))), nextFromVersion: 2 });
    const rest = await gateway.call('GET', `/v1/admin-events?fromVersion=2&limit=100`, { key: adminKey });
    expect(rest.json).toMatchObject({ items: all.slice(2).map((e) => expect.objectContaining({ eventId: e.eventId, streamVersion: e.streamVersion })), nextFromVersion: null });
    expect((rest.json as { items: unknown[] }).items).toHaveLength(all.length - 2);

    expect(await gateway.call('GET', '/v1/admin-events?limit=0', { key: adminKey })).toMatchObject({ status: 400, json: { errors: [expect.objectContaining({ pointer: '#/limit' })] } });
    const viewer = (await gateway.call('POST', '/v1/api-keys', { key: adminKey, body: { name: 'viewer', roles: ['viewer', 'operator', 'approver'] } })).json as { apiKey: string };
    expect((await gateway.call('GET', '/v1/admin-events', { key: viewer.apiKey })).status).toBe(403);
  });
});
