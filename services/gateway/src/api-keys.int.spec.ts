import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import { startGateway, type Answer, type GatewayUnderTest } from './gateway-under-test.js';

const problemJson = /^application\/problem\+json/;

describe('API keys over REST', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  /** Every answer of this suite, to check that none of them carries a key hash. */
  const answers: Answer[] = [];
  const call: GatewayUnderTest['call'] = async (...args) => {
    const answer = await gateway.call(...args);
    answers.push(answer);
    return answer;
  };

  async function createKey(roles: string[], name = `key-${roles.join('-')}`): Promise<{ keyId: string; apiKey: string }> {
    const created = await call('POST', '/v1/api-keys', { key: adminKey, body: { name, roles } });
    expect(created.status).toBe(201);
    return created.json as { keyId: string; apiKey: string };
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_api_keys');
    gateway = await startGateway(
      {
        databaseUrl: db.connectionString,
        port: 0,
        schema: db.schema,
        bootstrapAdminApiKey: adminKey,
        bootstrapTenant: 'demo',
        maxBodyBytes: 1024 * 1024,
      },
      { logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('accepts the bootstrap admin key as a bearer token and as x-api-key', async () => {
    for (const keyHeader of ['bearer', 'x-api-key'] as const) {
      const listed = await call('GET', '/v1/api-keys', { key: adminKey, keyHeader });
      expect(listed.status).toBe(200);
      expect(listed.json).toEqual({
        items: [expect.objectContaining({ name: 'bootstrap admin', roles: ['admin'], createdBy: 'bootstrap:BOOTSTRAP_ADMIN_API_KEY', revokedAt: null })],
      });
    }
  });

  it('creates a viewer key, shows its secret once, and lists it without the secret', async () => {
    const created = await call('POST', '/v1/api-keys', { key: adminKey, body: { name: 'dashboard', roles: ['viewer'] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const viewer = created.json as { keyId: string; apiKey: string; name: string; roles: string[] };
    expect(viewer).toMatchObject({ name: 'dashboard', roles: ['viewer'], revokedAt: null });
    expect(viewer.apiKey).toMatch(new RegExp(`^ao_${viewer.keyId.replaceAll('-', '')}_[A-Za-z0-9_-]{43}$`));

    const listed = await call('GET', '/v1/api-keys', { key: adminKey });
    const items = (listed.json as { items: Record<string, unknown>[] }).items;
    expect(items.find((k) => k.keyId === viewer.keyId)).toEqual({
      keyId: viewer.keyId,
      name: 'dashboard',
      roles: ['viewer'],
      createdAt: expect.any(String),
      createdBy: expect.stringMatching(/^[0-9a-f-]{36}$/),
      revokedAt: null,
      expiresAt: null,
      lastUsedAt: null,
      rotatedAt: null,
      previousSecretValidUntil: null,
    });
    expect(listed.text).not.toContain(viewer.apiKey);
  });

  it('lets a viewer authenticate but not create, list or revoke keys (403)', async () => {
    const viewer = await createKey(['viewer']);
    const before = await rowCount();
    const refused = [
      await call('POST', '/v1/api-keys', { key: viewer.apiKey, body: { name: 'escalate', roles: ['admin'] } }),
      await call('GET', '/v1/api-keys', { key: viewer.apiKey }),
      await call('DELETE', `/v1/api-keys/${viewer.keyId}`, { key: viewer.apiKey }),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(problemJson);
      expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:forbidden', status: 403 });
    }
    expect(await rowCount()).toBe(before);
    const listed = (await call('GET', '/v1/api-keys', { key: adminKey })).json as { items: { keyId: string; revokedAt: string | null }[] };
    expect(listed.items.find((k) => k.keyId === viewer.keyId)?.revokedAt).toBeNull();
  });

  it('refuses a revoked key with 401; revoking again is still 204', async () => {
    const operator = await createKey(['operator']);
    expect((await call('GET', '/v1/api-keys', { key: operator.apiKey })).status).toBe(403);

    expect((await call('DELETE', `/v1/api-keys/${operator.keyId}`, { key: adminKey })).status).toBe(204);
    const refused = await call('GET', '/v1/api-keys', { key: operator.apiKey });
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-credentials', status: 401, detail: expect.stringMatching(/^The API key was revoked at /) });
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);

    expect((await call('DELETE', `/v1/api-keys/${operator.keyId}`, { key: adminKey })).status).toBe(204);
    const listed = (await call('GET', '/v1/api-keys', { key: adminKey })).json as { items: { keyId: string; revokedAt: string | null }[] };
    expect(listed.items.find((k) => k.keyId === operator.keyId)?.revokedAt).toEqual(expect.any(String));
  });

  it('refuses a request without a key with 401 and WWW-Authenticate: Bearer', async () => {
    const missing = await call('GET', '/v1/api-keys');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(missing.headers.get('content-type')).toMatch(problemJson);
    expect(missing.json).toEqual({
      type: 'urn:agent-orchestrator:problem:missing-credentials',
      title: 'API key required',
      status: 401,
      detail: expect.stringContaining('Authorization: Bearer'),
      instance: '/v1/api-keys',
    });
  });

  it.each([
    ['an unknown key', { authorization: `Bearer ao_${'0'.repeat(32)}_${randomBytes(32).toString('base64url')}` }],
    ['another auth scheme', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['two different keys', { authorization: 'Bearer first-key-first-key-first-key-12', 'x-api-key': 'second-key' }],
  ])('refuses %s with 401', async (_, headers) => {
    const refused = await call('GET', '/v1/api-keys', { headers });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(refused.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-credentials' });
  });

  it("answers another tenant's key id with 404, never revealing it, and leaves that key working", async () => {
    const otherTenant = await new ApiKeyStore(await db.tenantDatabase(), db.schema).create({ tenantId: 'acme', name: 'acme admin', roles: ['admin'], createdBy: 'spec' });
    const ownList = (await call('GET', '/v1/api-keys', { key: adminKey })).text;
    expect(ownList).not.toContain(otherTenant.keyId);

    const foreign = await call('DELETE', `/v1/api-keys/${otherTenant.keyId}`, { key: adminKey });
    const unknown = await call('DELETE', '/v1/api-keys/00000000-0000-4000-8000-000000000000', { key: adminKey });
    const malformed = await call('DELETE', '/v1/api-keys/not-a-uuid', { key: adminKey });
    for (const answer of [foreign, unknown, malformed]) {
      expect(answer.status).toBe(404);
      expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:not-found', detail: 'Your tenant has no API key with this id.' });
    }

    const acmeList = await call('GET', '/v1/api-keys', { key: otherTenant.apiKey });
    expect(acmeList.status).toBe(200);
    expect((acmeList.json as { items: { keyId: string }[] }).items.map((k) => k.keyId)).toEqual([otherTenant.keyId]);
  });

  it('stores only SHA-256 hashes, and no answer ever carries one', async () => {
    const { apiKey } = await createKey(['approver']);
    const hash = createHash('sha256').update(apiKey).digest();
    const stored = await db.pool.query<{ key_hash: Buffer }>(`SELECT key_hash FROM ${pg.escapeIdentifier(db.schema)}.api_keys WHERE key_hash = $1`, [hash]);
    expect(stored.rowCount).toBe(1);
    const secrets = await db.pool.query(`SELECT 1 FROM ${pg.escapeIdentifier(db.schema)}.api_keys t WHERE position($1 in t::text) > 0`, [apiKey]);
    expect(secrets.rowCount).toBe(0);

    const allHashes = (await db.pool.query<{ key_hash: Buffer }>(`SELECT key_hash FROM ${pg.escapeIdentifier(db.schema)}.api_keys`)).rows.map(
      (r) => r.key_hash,
    );
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      expect(answer.text).not.toMatch(/hash/i);
      for (const h of allHashes) {
        for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(answer.text).not.toContain(h.toString(encoding));
      }
    }
  });

  async function rowCount(): Promise<number> {
    const counted = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(db.schema)}.api_keys`);
    return counted.rows[0]!.n;
  }
});
