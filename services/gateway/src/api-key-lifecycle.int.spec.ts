import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';

interface Key {
  keyId: string;
  apiKey: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  rotatedAt: string | null;
  previousSecretValidUntil: string | null;
}

const seconds = (from: string | null, to: string | null) => (Date.parse(to!) - Date.parse(from!)) / 1000;
const daysFromNow = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

describe('API key expiry, rotation, last use and the last admin', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  let store: ApiKeyStore;
  let table: string;

  /** Whether a secret authenticates: "accepted" (the route answered, 200 or 403 by role), or the 401 and why. */
  async function tryKey(apiKey: string): Promise<{ status: number | 'accepted'; detail?: string }> {
    const answer = await gateway.call('GET', '/v1/api-keys', { key: apiKey });
    if (answer.status !== 401) return { status: 'accepted' };
    return { status: answer.status, detail: (answer.json as { detail: string }).detail };
  }
  const accepted = { status: 'accepted' };

  async function create(body: Record<string, unknown>, key = adminKey): Promise<Key> {
    const created = await gateway.call('POST', '/v1/api-keys', { key, body: { name: 'spec key', roles: ['operator'], ...body } });
    expect(created.status).toBe(201);
    return created.json as Key;
  }
  async function rotate(keyId: string, body?: Record<string, unknown>): Promise<Key> {
    const rotated = await gateway.call('POST', `/v1/api-keys/${keyId}/rotate`, { key: adminKey, ...(body === undefined ? {} : { body }) });
    expect({ status: rotated.status, body: rotated.json }).toMatchObject({ status: 200 });
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    return rotated.json as Key;
  }
  async function listed(keyId: string): Promise<Key> {
    const items = ((await gateway.call('GET', '/v1/api-keys', { key: adminKey })).json as { items: Key[] }).items;
    return items.find((k) => k.keyId === keyId)!;
  }
  const rows = async () => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

  beforeAll(async () => {
    db = await createTestSchema('gateway_key_lifecycle');
    table = `${pg.escapeIdentifier(db.schema)}.api_keys`;
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, bootstrapTenant: 'demo', maxBodyBytes: 1024 * 1024 },
      { logger: pino({ level: 'silent' }) },
    );
    store = new ApiKeyStore(await db.tenantDatabase(), db.schema);
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  describe('expiry', () => {
    it('creates a key that expires, and refuses it once expired with a 401 saying so', async () => {
      const expiresAt = daysFromNow(30);
      const key = await create({ expiresAt });
      expect(key.expiresAt).toBe(expiresAt);
      expect(await tryKey(key.apiKey)).toEqual(accepted);

      // Time passing, as the database's clock sees it: the key's expiry moves into the past.
      await db.pool.query(`UPDATE ${table} SET expires_at = now() - interval '1 second' WHERE key_id = $1`, [key.keyId]);
      const refused = await gateway.call('GET', '/v1/api-keys', { key: key.apiKey });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(refused.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-credentials', detail: expect.stringMatching(/^The API key expired at .*POST \/v1\/api-keys/) });
      expect((await listed(key.keyId)).expiresAt).toEqual(expect.any(String));
    });

    it('takes an expiry with a UTC offset and answers it in UTC', async () => {
      const inAYear = new Date(Date.now() + 365 * 24 * 3600 * 1000);
      inAYear.setUTCMilliseconds(0);
      const withOffset = `${new Date(inAYear.getTime() + 2 * 3600 * 1000).toISOString().slice(0, 19)}+02:00`;
      expect((await create({ expiresAt: withOffset })).expiresAt).toBe(inAYear.toISOString());
    });

    it.each([
      ['in the past', daysFromNow(-1), 'must be in the future'],
      ['now-ish, already gone by the time it is read', new Date().toISOString(), 'must be in the future'],
      ['more than two years ahead', daysFromNow(731), 'must be at most 730 days ahead'],
      ['not an instant', 'next tuesday', 'Invalid ISO datetime'],
      ['a date without a time', '2027-01-01', 'Invalid ISO datetime'],
    ])('refuses an expiry %s with 422 naming expiresAt, and creates nothing', async (_, expiresAt, detail) => {
      const before = await rows();
      const refused = await gateway.call('POST', '/v1/api-keys', { key: adminKey, body: { name: 'x', roles: ['viewer'], expiresAt } });
      expect(refused.status).toBe(422);
      expect((refused.json as { errors: unknown[] }).errors).toEqual([{ pointer: '#/expiresAt', detail: expect.stringContaining(detail) }]);
      expect(await rows()).toBe(before);
    });
  });

  describe('rotation', () => {
    it('gives a new secret; the old one works for the overlap; rotating again ends the previous overlap', async () => {
      const key = await create({});
      const first = await rotate(key.keyId);
      expect(first.keyId).toBe(key.keyId);
      expect(first.apiKey).not.toBe(key.apiKey);
      expect(first.apiKey).toMatch(new RegExp(`^ao_${key.keyId.replaceAll('-', '')}_`));
      expect(seconds(first.rotatedAt, first.previousSecretValidUntil)).toBe(86_400);
      expect(await tryKey(key.apiKey)).toEqual(accepted);
      expect(await tryKey(first.apiKey)).toEqual(accepted);

      const second = await rotate(key.keyId, { overlapSeconds: 3600 });
      expect(seconds(second.rotatedAt, second.previousSecretValidUntil)).toBe(3600);
      // One replaced secret is kept: the one before it is forgotten, as if it had never been.
      expect(await tryKey(key.apiKey)).toEqual({ status: 401, detail: 'The API key is unknown or has been revoked.' });
      expect(await tryKey(first.apiKey)).toEqual(accepted);
      expect(await tryKey(second.apiKey)).toEqual(accepted);

      const third = await rotate(key.keyId, { overlapSeconds: 0 });
      expect(await tryKey(first.apiKey)).toMatchObject({ status: 401, detail: 'The API key is unknown or has been revoked.' });
      expect(await tryKey(second.apiKey)).toEqual({ status: 401, detail: `This secret was replaced when the API key was rotated, and stopped working at ${third.rotatedAt}. Use the secret the rotation returned.` });
      expect(await tryKey(third.apiKey)).toEqual(accepted);
      expect(await listed(key.keyId)).toMatchObject({ rotatedAt: third.rotatedAt, previousSecretValidUntil: third.rotatedAt, revokedAt: null });
    });

    it('refuses a revoked or an expired key with 409, an unknown or foreign one with 404, and a viewer with 403', async () => {
      const revoked = await create({});
      expect((await gateway.call('DELETE', `/v1/api-keys/${revoked.keyId}`, { key: adminKey })).status).toBe(204);
      const expired = await create({});
      await db.pool.query(`UPDATE ${table} SET expires_at = now() - interval '1 second' WHERE key_id = $1`, [expired.keyId]);
      const foreign = await store.create({ tenantId: 'acme', name: 'acme admin', roles: ['admin'], createdBy: 'spec' });
      const viewer = await create({ roles: ['viewer'] });

      const answers = {
        revoked: await gateway.call('POST', `/v1/api-keys/${revoked.keyId}/rotate`, { key: adminKey }),
        expired: await gateway.call('POST', `/v1/api-keys/${expired.keyId}/rotate`, { key: adminKey }),
        unknown: await gateway.call('POST', '/v1/api-keys/00000000-0000-4000-8000-000000000000/rotate', { key: adminKey }),
        malformed: await gateway.call('POST', '/v1/api-keys/not-a-uuid/rotate', { key: adminKey }),
        foreign: await gateway.call('POST', `/v1/api-keys/${foreign.keyId}/rotate`, { key: adminKey }),
        byViewer: await gateway.call('POST', `/v1/api-keys/${viewer.keyId}/rotate`, { key: viewer.apiKey }),
      };
      expect(Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, [answer.status, (answer.json as { detail: string }).detail]]))).toEqual({
        revoked: [409, expect.stringMatching(/^The API key was revoked at .*, so it cannot be rotated/)],
        expired: [409, expect.stringMatching(/^The API key expired at .*, so it cannot be rotated/)],
        unknown: [404, 'Your tenant has no API key with this id.'],
        malformed: [404, 'Your tenant has no API key with this id.'],
        foreign: [404, 'Your tenant has no API key with this id.'],
        byViewer: [403, expect.stringContaining('"update" on ApiKey')],
      });
      expect(await tryKey(foreign.apiKey)).toEqual(accepted);
      expect((await listed(viewer.keyId)).rotatedAt).toBeNull();
    });

    it.each([[{ overlapSeconds: -1 }], [{ overlapSeconds: 30 * 86_400 + 1 }], [{ overlapSeconds: 1.5 }], [{ overlapSeconds: '60' }], [{ overlap: 60 }]])(
      'refuses %j with 422 and rotates nothing',
      async (body) => {
        const key = await create({});
        const refused = await gateway.call('POST', `/v1/api-keys/${key.keyId}/rotate`, { key: adminKey, body });
        expect(refused.status).toBe(422);
        expect(await tryKey(key.apiKey)).toEqual(accepted);
        expect((await listed(key.keyId)).rotatedAt).toBeNull();
      },
    );

    it('keeps a rotated bootstrap key rotated when the gateway starts again with the old value', async () => {
      const bootstrapSecret = randomBytes(32).toString('base64url');
      const registered = await store.bootstrap(bootstrapSecret, 'initech');
      const tenantKeys = async () => (await store.list('initech')).length;
      expect(await store.rotate('initech', registered.keyId, 0)).toMatchObject({ keyId: registered.keyId });
      expect(await store.bootstrap(bootstrapSecret, 'initech')).toEqual({ keyId: registered.keyId, created: false, tenantId: 'initech', revoked: false, rotated: true });
      expect(await tenantKeys()).toBe(1);
      expect(await tryKey(bootstrapSecret)).toMatchObject({ status: 401 });
    });
  });

  describe('last use', () => {
    const stored = async (keyId: string) =>
      (await db.pool.query<{ last_used_at: Date | null; xmin: string }>(`SELECT last_used_at, xmin::text FROM ${table} WHERE key_id = $1`, [keyId])).rows[0]!;

    it('notes when a key was used, writing its row at most once a minute', async () => {
      const key = await create({});
      expect(key.lastUsedAt).toBeNull();
      const before = Date.now();
      expect(await tryKey(key.apiKey)).toEqual(accepted);
      const first = await stored(key.keyId);
      expect(first.last_used_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);

      // More requests within the minute: the row is not written again (same xmin, same time).
      for (let i = 0; i < 5; i++) expect(await tryKey(key.apiKey)).toEqual(accepted);
      expect(await stored(key.keyId)).toEqual(first);

      // A minute later (the stored time moved back), the next request writes it again.
      await db.pool.query(`UPDATE ${table} SET last_used_at = now() - interval '61 seconds' WHERE key_id = $1`, [key.keyId]);
      expect(await tryKey(key.apiKey)).toEqual(accepted);
      expect((await stored(key.keyId)).last_used_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((await listed(key.keyId)).lastUsedAt).toEqual((await stored(key.keyId)).last_used_at!.toISOString());
    });

    it('does not count a refused request as a use', async () => {
      const key = await create({});
      await db.pool.query(`UPDATE ${table} SET expires_at = now() - interval '1 second' WHERE key_id = $1`, [key.keyId]);
      expect(await tryKey(key.apiKey)).toMatchObject({ status: 401 });
      expect((await stored(key.keyId)).last_used_at).toBeNull();
    });
  });

  describe("the tenant's last admin key", () => {
    const lastAdmin = /^This is your tenant's last active admin API key/;

    it('cannot be revoked (409 naming the rule); with another admin key it can', async () => {
      const solo = await store.create({ tenantId: 'solo', name: 'only admin', roles: ['admin'], createdBy: 'spec' });
      const refused = await gateway.call('DELETE', `/v1/api-keys/${solo.keyId}`, { key: solo.apiKey });
      expect(refused.status).toBe(409);
      expect(refused.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:conflict', detail: expect.stringMatching(lastAdmin) });
      expect(await tryKey(solo.apiKey)).toEqual(accepted);

      const second = await create({ roles: ['admin'] }, solo.apiKey);
      expect((await gateway.call('DELETE', `/v1/api-keys/${solo.keyId}`, { key: second.apiKey })).status).toBe(204);
      expect((await gateway.call('DELETE', `/v1/api-keys/${second.keyId}`, { key: second.apiKey })).status).toBe(409);
      // Revoking an already revoked admin key stays fine: it is not the last one standing.
      expect((await gateway.call('DELETE', `/v1/api-keys/${solo.keyId}`, { key: second.apiKey })).status).toBe(204);
    });

    it('counts neither expired admin keys nor keys without the admin role', async () => {
      const admin = await store.create({ tenantId: 'lapsed', name: 'admin', roles: ['admin'], createdBy: 'spec' });
      const expired = await store.create({ tenantId: 'lapsed', name: 'expired admin', roles: ['admin'], createdBy: 'spec', expiresAt: daysFromNow(1) });
      await store.create({ tenantId: 'lapsed', name: 'operator', roles: ['operator', 'viewer'], createdBy: 'spec' });
      await db.pool.query(`UPDATE ${table} SET expires_at = now() - interval '1 second' WHERE key_id = $1`, [expired.keyId]);
      await expect(store.revoke('lapsed', admin.keyId)).rejects.toMatchObject({ code: 'Conflict', message: expect.stringMatching(lastAdmin) });
      // The expired admin key itself may be revoked: it is not an active admin.
      await expect(store.revoke('lapsed', expired.keyId)).resolves.toBe('revoked');
    });

    it('lets only one of two concurrent revocations of the last two admin keys succeed', async () => {
      const tenants = Array.from({ length: 20 }, (_, i) => `race-${i}`);
      const outcomes = await Promise.all(
        tenants.map(async (tenantId) => {
          const pair = [
            await store.create({ tenantId, name: 'admin one', roles: ['admin'], createdBy: 'spec' }),
            await store.create({ tenantId, name: 'admin two', roles: ['admin'], createdBy: 'spec' }),
          ];
          const settled = await Promise.allSettled(pair.map((key) => store.revoke(tenantId, key.keyId)));
          const standing = (await store.list(tenantId)).filter((key) => key.revokedAt === null).length;
          return { outcomes: settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as { code: string }).code)).sort(), standing };
        }),
      );
      for (const outcome of outcomes) expect(outcome).toEqual({ outcomes: ['Conflict', 'revoked'], standing: 1 });
    });
  });

  describe('in the admin stream', () => {
    /** The tenant's admin events after `from`, as GET /v1/admin-events serves them. */
    async function adminEvents(key: string): Promise<{ type: string; actor: { id: string }; data: Record<string, unknown> }[]> {
      const page = await gateway.call('GET', '/v1/admin-events?limit=1000', { key });
      expect(page.status).toBe(200);
      return (page.json as { items: { type: string; actor: { id: string }; data: Record<string, unknown> }[] }).items;
    }

    it('records a key made with an expiry, and a rotation by whom, with never a secret or hash', async () => {
      const admin = await store.create({ tenantId: 'umbrella', name: 'admin', roles: ['admin'], createdBy: 'spec' });
      const expiresAt = daysFromNow(90);
      const key = await create({ name: 'ci', expiresAt }, admin.apiKey);
      const rotated = await gateway.call('POST', `/v1/api-keys/${key.keyId}/rotate`, { key: admin.apiKey, body: { overlapSeconds: 600 } });
      expect(rotated.status).toBe(200);
      const rotation = rotated.json as Key;
      const events = await adminEvents(admin.apiKey);
      expect(events).toEqual([
        expect.objectContaining({ type: 'ApiKeyCreated', actor: expect.objectContaining({ id: `key:${admin.keyId}` }), data: { keyId: key.keyId, name: 'ci', roles: ['operator'], expiresAt } }),
        expect.objectContaining({ type: 'ApiKeyRotated', actor: expect.objectContaining({ id: `key:${admin.keyId}` }), data: { keyId: key.keyId, previousSecretValidUntil: rotation.previousSecretValidUntil } }),
      ]);
      const logText = JSON.stringify(events);
      for (const secret of [key.apiKey, rotation.apiKey]) {
        expect(logText).not.toContain(secret);
        expect(logText).not.toContain(createHash('sha256').update(secret).digest('hex'));
      }
    });

    it('records nothing for a rotation or a revocation refused', async () => {
      const admin = await store.create({ tenantId: 'wayne', name: 'admin', roles: ['admin'], createdBy: 'spec' });
      const revoked = await store.create({ tenantId: 'wayne', name: 'ci', roles: ['operator'], createdBy: admin.keyId });
      await store.revoke('wayne', revoked.keyId);
      expect((await gateway.call('POST', `/v1/api-keys/${revoked.keyId}/rotate`, { key: admin.apiKey })).status).toBe(409);
      expect((await gateway.call('POST', '/v1/api-keys/00000000-0000-4000-8000-000000000000/rotate', { key: admin.apiKey })).status).toBe(404);
      expect((await gateway.call('DELETE', `/v1/api-keys/${admin.keyId}`, { key: admin.apiKey })).status).toBe(409);
      expect(await adminEvents(admin.apiKey)).toEqual([]);
    });
  });
});
