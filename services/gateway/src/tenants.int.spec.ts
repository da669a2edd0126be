import { planRequested, createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { upgradeStatus } from './e2e/hostile-input.behaviour.js';
import { startGateway, startGatewayOnLog, type Answer } from './gateway-under-test.js';

const platformKey = randomBytes(32).toString('base64url');
const acmeKey = randomBytes(32).toString('base64url');
const retentionDays = 30;
const dayMs = 24 * 60 * 60 * 1000;

describe('tenants and the platform admin', () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  const asPlatform = (method: string, path: string, body?: unknown) => gateway.call(method, path, { key: platformKey, ...(body === undefined ? {} : { body }) });
  const adminEvents = async (tenantId: string) => (await gateway.store.readStream(`admin-${tenantId}`)).map((e) => ({ type: e.type, actor: e.actor.id, data: e.data }));
  const tenantRow = async (tenantId: string) => (await db.pool.query(`SELECT status FROM "${db.schema}".tenants WHERE tenant_id = $1`, [tenantId])).rows[0];
  const keyCount = async (tenantId: string) => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".api_keys WHERE tenant_id = $1`, [tenantId])).rows[0]!.n;
  const live = (key: string) => `${gateway.url}/v1/sessions/no-such-session/live?apiKey=${encodeURIComponent(key)}`;
  let platformActor = '';

  async function createTenant(tenantId: string, name = `${tenantId} inc`): Promise<{ adminApiKey: string; adminKeyId: string }> {
    const created = await asPlatform('POST', '/v1/tenants', { tenantId, name });
    expect(created.status).toBe(201);
    return created.json as { adminApiKey: string; adminKeyId: string };
  }

  function expectForbidden(answer: Answer, detail: RegExp | string): void {
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:forbidden', detail: typeof detail === 'string' ? expect.stringContaining(detail) : expect.stringMatching(detail) });
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_tenants');
    gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: acmeKey, bootstrapTenant: 'acme', platformAdminApiKey: platformKey, tenantRetentionDays: retentionDays });
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('creates a tenant with its first admin key, shown once, and records both on its admin stream', async () => {
    const created = await asPlatform('POST', '/v1/tenants', { tenantId: 'globex', name: 'Globex Corporation' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const body = created.json as { adminApiKey: string; adminKeyId: string };
    expect(body).toMatchObject({ tenantId: 'globex', name: 'Globex Corporation', status: 'active', adminApiKey: expect.stringMatching(/^ao_/), retainUntil: null });

    const keys = await gateway.call('GET', '/v1/api-keys', { key: body.adminApiKey });
    expect(keys.status).toBe(200);
    expect(keys.json).toEqual({ items: [expect.objectContaining({ keyId: body.adminKeyId, name: 'first admin', roles: ['admin'], createdBy: expect.stringMatching(/^platform-admin:/) })] });

    const events = await adminEvents('globex');
    platformActor = events[0]!.actor;
    expect(platformActor).toMatch(/^platform-admin:[0-9a-f]{16}$/);
    expect(events).toEqual([
      { type: 'TenantCreated', actor: platformActor, data: { name: 'Globex Corporation' } },
      { type: 'ApiKeyCreated', actor: platformActor, data: { keyId: body.adminKeyId, name: 'first admin', roles: ['admin'], expiresAt: null } },
    ]);
    expect(JSON.stringify(await gateway.store.readStream('admin-globex'))).not.toContain(body.adminApiKey.slice(-20));
  });

  it('lists and gets tenants, the bootstrap tenant (which had keys) among them as active', async () => {
    const listed = await asPlatform('GET', '/v1/tenants');
    expect(listed.status).toBe(200);
    const items = (listed.json as { items: { tenantId: string; status: string }[] }).items;
    expect(items.map((t) => [t.tenantId, t.status])).toEqual(expect.arrayContaining([['acme', 'active'], ['globex', 'active']]));
    expect(await asPlatform('GET', '/v1/tenants/globex')).toMatchObject({ status: 200, json: { tenantId: 'globex', name: 'Globex Corporation', status: 'active' } });
    expect(await asPlatform('GET', '/v1/tenants/nobody')).toMatchObject({ status: 404, json: { detail: 'There is no tenant nobody.' } });
  });

  it('refuses an id already taken with 409, writing nothing', async () => {
    const before = await keyCount('globex');
    const again = await asPlatform('POST', '/v1/tenants', { tenantId: 'globex', name: 'Another Globex' });
    expect(again).toMatchObject({ status: 409, json: { detail: 'tenant globex already exists; choose another id.' } });
    expect(await keyCount('globex')).toBe(before);
    expect(await adminEvents('globex')).toHaveLength(2);
    expect((await asPlatform('GET', '/v1/tenants/globex')).json).toMatchObject({ name: 'Globex Corporation' });
  });

  it.each([['Acme Corp'], ['-leading-dash'], ['a'.repeat(64)], ['']])('refuses the tenant id %j with 422 naming the field, writing nothing', async (tenantId) => {
    const refused = await asPlatform('POST', '/v1/tenants', { tenantId, name: 'Bad' });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-body', errors: [{ pointer: '#/tenantId', detail: expect.stringContaining('tenant ids are lower-case letters') }] });
    expect(await keyCount(tenantId)).toBe(0);
  });

  it('refuses the id "platform", which the platform\'s own operations carry', async () => {
    const refused = await asPlatform('POST', '/v1/tenants', { tenantId: 'platform', name: 'Platform' });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ errors: [{ pointer: '#/tenantId', detail: expect.stringContaining('reserved for the platform') }] });
    expect(await tenantRow('platform')).toBeUndefined();
  });

  it('creates neither the tenant nor its key when its admin event cannot be written', async () => {
    // The stream admin-zeta already belongs to another tenant, so the append in the transaction fails.
    await gateway.store.append('admin-zeta', [planRequested({ tenantId: 'not-zeta' })]);
    const failed = await asPlatform('POST', '/v1/tenants', { tenantId: 'zeta', name: 'Zeta' });
    expect(failed.status).toBe(500);
    expect(await tenantRow('zeta')).toBeUndefined();
    expect(await keyCount('zeta')).toBe(0);
  });

  it("refuses a tenant's keys, even its admin's, on every tenants route", async () => {
    for (const [method, path] of [['GET', '/v1/tenants'], ['POST', '/v1/tenants'], ['GET', '/v1/tenants/acme'], ['POST', '/v1/tenants/acme/suspend'], ['DELETE', '/v1/tenants/acme']]) {
      expectForbidden(await gateway.call(method!, path!, { key: acmeKey, ...(method === 'POST' ? { body: { tenantId: 'mine', name: 'Mine' } } : {}) }), /platform admin/);
    }
    expect(await tenantRow('mine')).toBeUndefined();
  });

  it("refuses the platform admin on every tenant's route and on the WebSocket: it reads no tenant's data", async () => {
    for (const [method, path] of [['GET', '/v1/sessions'], ['POST', '/v1/sessions'], ['GET', '/v1/api-keys'], ['GET', '/v1/admin-events'], ['GET', '/v1/agents'], ['PUT', '/v1/egress']]) {
      expectForbidden(await asPlatform(method!, path!, method === 'GET' ? undefined : { goal: 'peek' }), "A platform admin manages tenants (/v1/tenants) and reads no tenant's data");
    }
    expect(gateway.sent).toEqual([]);
    const upgrade = await upgradeStatus(live(platformKey));
    expect(upgrade.status).toBe(403);
    expect(upgrade.body).toContain('reads no tenant');
  });

  it("suspends a tenant: its requests get 403 on every route and the WebSocket until it is resumed; other tenants go on", async () => {
    const { adminApiKey } = await createTenant('initech');
    const suspended = await asPlatform('POST', '/v1/tenants/initech/suspend', { reason: 'invoice unpaid' });
    expect(suspended).toMatchObject({ status: 200, json: { tenantId: 'initech', status: 'suspended', suspendedReason: 'invoice unpaid', suspendedAt: expect.any(String) } });

    const refusal = 'tenant initech is suspended; a platform admin can resume it.';
    expectForbidden(await gateway.call('GET', '/v1/api-keys', { key: adminApiKey }), refusal);
    expectForbidden(await gateway.call('GET', '/v1/sessions', { key: adminApiKey }), refusal);
    expectForbidden(await gateway.call('POST', '/v1/sessions', { key: adminApiKey, body: { goal: 'work' } }), refusal);
    const upgrade = await upgradeStatus(live(adminApiKey));
    expect(upgrade.status).toBe(403);
    expect(upgrade.body).toContain(refusal);
    expect((await gateway.call('GET', '/v1/api-keys', { key: acmeKey })).status).toBe(200);

    // Suspending again changes nothing and records nothing.
    expect((await asPlatform('POST', '/v1/tenants/initech/suspend')).json).toMatchObject({ status: 'suspended', suspendedReason: 'invoice unpaid' });
    expect(await asPlatform('POST', '/v1/tenants/initech/suspend', { reason: 'x'.repeat(501) })).toMatchObject({ status: 422 });

    const resumed = await asPlatform('POST', '/v1/tenants/initech/resume');
    expect(resumed).toMatchObject({ status: 200, json: { status: 'active', suspendedAt: null, suspendedReason: null } });
    expect((await gateway.call('GET', '/v1/api-keys', { key: adminApiKey })).status).toBe(200);
    // Past the tenant check: the socket is refused only because there is no such session.
    expect((await upgradeStatus(live(adminApiKey))).status).toBe(404);

    expect((await adminEvents('initech')).map((e) => [e.type, e.data])).toEqual([
      ['TenantCreated', { name: 'initech inc' }],
      ['ApiKeyCreated', expect.any(Object)],
      ['TenantSuspended', { reason: 'invoice unpaid' }],
      ['TenantResumed', {}],
    ]);
    expect(await asPlatform('POST', '/v1/tenants/nobody/resume')).toMatchObject({ status: 404 });
  });

  it('deletes a tenant softly: its keys stop working, its id is kept for the retention period', async () => {
    const { adminApiKey, adminKeyId } = await createTenant('hooli');
    const viewer = (await gateway.call('POST', '/v1/api-keys', { key: adminApiKey, body: { name: 'dashboard', roles: ['viewer'] } })).json as { keyId: string; apiKey: string };
    const before = Date.now();
    const deleted = await asPlatform('DELETE', '/v1/tenants/hooli');
    expect(deleted).toMatchObject({ status: 200, json: { tenantId: 'hooli', status: 'deleted', deletedAt: expect.any(String) } });
    const retainUntil = Date.parse((deleted.json as { retainUntil: string }).retainUntil);
    expect(retainUntil - before).toBeGreaterThanOrEqual(retentionDays * dayMs - 1000);
    expect(retainUntil - Date.now()).toBeLessThanOrEqual(retentionDays * dayMs);

    for (const key of [adminApiKey, viewer.apiKey]) expect((await gateway.call('GET', '/v1/sessions', { key })).status).toBe(401);
    expect((await asPlatform('GET', '/v1/tenants/hooli')).json).toMatchObject({ status: 'deleted' });
    expect(await asPlatform('POST', '/v1/tenants/hooli/resume')).toMatchObject({ status: 409, json: { detail: expect.stringContaining('has been deleted') } });
    expect(await asPlatform('POST', '/v1/tenants', { tenantId: 'hooli', name: 'Hooli again' })).toMatchObject({
      status: 409,
      json: { detail: `tenant hooli was deleted and its id is kept until ${new Date(retainUntil).toISOString()}; choose another id.` },
    });
    // Deleting again is fine and records nothing more.
    expect((await asPlatform('DELETE', '/v1/tenants/hooli')).status).toBe(200);
    const events = await adminEvents('hooli');
    expect(events.slice(3)).toEqual([
      { type: 'ApiKeyRevoked', actor: platformActor, data: { keyId: [adminKeyId, viewer.keyId].sort()[0] } },
      { type: 'ApiKeyRevoked', actor: platformActor, data: { keyId: [adminKeyId, viewer.keyId].sort()[1] } },
      { type: 'TenantDeleted', actor: platformActor, data: { retainUntil: new Date(retainUntil).toISOString() } },
    ]);
    expect(events).toHaveLength(6);
  });

  it('a suspension made through one gateway process reaches another within a second or so', async () => {
    const { adminApiKey } = await createTenant('umbrella');
    const other = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: undefined, bootstrapTenant: 'demo', maxBodyBytes: 1024 * 1024, platformAdminApiKey: platformKey },
      { logger: pino({ level: 'silent' }), database: await db.tenantDatabase(), adminLogStore: gateway.store },
    );
    try {
      expect((await other.call('GET', '/v1/api-keys', { key: adminApiKey })).status).toBe(200);
      expect((await asPlatform('POST', '/v1/tenants/umbrella/suspend')).status).toBe(200);
      const started = Date.now();
      await waitFor('the other process to refuse the suspended tenant', async () => (await other.call('GET', '/v1/api-keys', { key: adminApiKey })).status === 403, { timeoutMs: 5000, intervalMs: 50 });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await other.close();
    }
  });
});
