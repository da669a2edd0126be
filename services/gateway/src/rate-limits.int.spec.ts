import { randomBytes } from 'node:crypto';
import { topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { createTestSchema, tenantDatabaseAt, type TestSchema } from '@agent-orchestrator/testing';
import type pg from 'pg';
import { pino } from 'pino';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import type { GatewayConfig } from './config.js';
import { upgradeStatus } from './e2e/hostile-input.behaviour.js';
import { startGateway, type Answer, type GatewayUnderTest } from './gateway-under-test.js';

const adminKey = randomBytes(32).toString('base64url');
/** Short windows so a spec waits out a refusal in seconds; deployments always count per minute. */
const windowSeconds = 2;

function configFor(db: TestSchema): GatewayConfig {
  return {
    databaseUrl: db.connectionString,
    port: 0,
    schema: db.schema,
    bootstrapAdminApiKey: adminKey,
    bootstrapTenant: 'bootstrap',
    maxBodyBytes: 1024 * 1024,
    rateLimits: { principalPerMinute: 3, tenantPerMinute: 5, authFailuresPerMinute: 3, windowSeconds },
    // The specs speak for several client addresses through X-Forwarded-For, as a proxy on loopback would.
    trustProxy: ['127.0.0.1', '::1'],
  };
}

const waitSeconds = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 50));
let addressCount = 0;
/** A client address of its own (TEST-NET-2), so one spec's failures never count against another's. */
const newAddress = () => `198.51.100.${++addressCount}`;

describe('request rate limits', () => {
  let db: TestSchema;
  let lookups: string[];
  let pool: pg.Pool;
  let gateway: GatewayUnderTest;
  let second: GatewayUnderTest;
  let apiKeys: ApiKeyStore;

  const keyOf = async (tenantId: string) => (await apiKeys.create({ tenantId, name: 'spec', roles: ['admin'], createdBy: 'spec' })).apiKey;
  const list = (on: GatewayUnderTest, key: string, from = newAddress()) => on.call('GET', '/v1/api-keys', { key, headers: { 'x-forwarded-for': from } });
  const statuses = (answers: readonly Answer[]) => answers.map((answer) => answer.status);

  beforeAll(async () => {
    db = await createTestSchema('gateway_rate_limits');
    // The first gateway's own application-role pool, whose queries are recorded: an address refused
    // outright must not reach the key lookup (authenticate_api_key) or the api_keys table.
    const database = await tenantDatabaseAt(db.pool, db.connectionString);
    pool = database.tenantPool;
    lookups = [];
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    pool.query = ((...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      if (text?.includes('api_key')) lookups.push(text);
      return query(...args);
    }) as typeof pool.query;
    const events = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    // The live WebSocket route comes with a session backend; nothing here reaches Kafka or a read model.
    const unused = {} as never;
    const sessions = { store: events, producer: { send: async () => undefined } as unknown as MessageProducer, topics: topicNames(), queries: unused, modelCalls: unused, approvals: unused };
    const logger = pino({ level: 'silent' });
    gateway = await startGateway(configFor(db), { logger, database, sessions });
    second = await startGateway(configFor(db), { logger, database: await db.tenantDatabase() });
    apiKeys = new ApiKeyStore(await db.tenantDatabase(), db.schema);
  });
  afterAll(async () => {
    await gateway?.close();
    await second?.close();
    await pool?.end();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE`);
    await db?.dispose();
  });

  it("answers a principal over its limit 429 with Retry-After and the RateLimit fields, and the request after Retry-After succeeds", async () => {
    const key = await keyOf('limited');
    const admitted = [await list(gateway, key), await list(gateway, key), await list(gateway, key)];
    expect(statuses(admitted)).toEqual([200, 200, 200]);
    expect(admitted[0]!.headers.get('ratelimit-policy')).toBe(`"principal";q=3;w=${windowSeconds}, "tenant";q=5;w=${windowSeconds}`);
    expect(admitted.map((answer) => answer.headers.get('ratelimit'))).toEqual([
      expect.stringMatching(/^"principal";r=2;t=[12], "tenant";r=4;t=[12]$/),
      expect.stringMatching(/^"principal";r=1;t=[12], "tenant";r=3;t=[12]$/),
      expect.stringMatching(/^"principal";r=0;t=[12], "tenant";r=2;t=[12]$/),
    ]);

    const refused = await list(gateway, key);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(refused).toMatchObject({ status: 429, json: { type: 'urn:agent-orchestrator:problem:rate-limited', status: 429 } });
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((refused.json as { detail: string }).detail).toMatch(new RegExp(`^The rate limit of 3 requests per ${windowSeconds} s for principal [0-9a-f-]{36} is used up; it frees in ${retryAfter} s`));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
    expect(refused.headers.get('ratelimit-policy')).toBe(`"principal";q=3;w=${windowSeconds}`);
    expect(refused.headers.get('ratelimit')).toBe(`"principal";r=0;t=${retryAfter}`);

    await waitSeconds(retryAfter);
    const after = await list(gateway, key);
    expect(after.status).toBe(200);
    expect(after.headers.get('ratelimit')).toMatch(/^"principal";r=2;/);
  });

  it("shares a tenant's limit between its keys, and leaves other tenants alone", async () => {
    const [first, secondKey, otherTenant] = [await keyOf('shared'), await keyOf('shared'), await keyOf('elsewhere')];
    const answers = [await list(gateway, first), await list(gateway, first), await list(gateway, first), await list(gateway, secondKey), await list(gateway, secondKey)];
    expect(statuses(answers)).toEqual([200, 200, 200, 200, 200]);
    const refused = await list(gateway, secondKey);
    expect(refused.status).toBe(429);
    expect((refused.json as { detail: string }).detail).toContain('The rate limit of 5 requests per 2 s for tenant shared is used up');
    expect(refused.headers.get('ratelimit')).toMatch(/"tenant";r=0;t=\d$/);
    expect((await list(gateway, otherTenant)).status).toBe(200);
  });

  it('holds across two gateway processes on one database', async () => {
    const key = await keyOf('two-processes');
    expect(statuses([await list(gateway, key), await list(second, key), await list(gateway, key)])).toEqual([200, 200, 200]);
    expect((await list(second, key)).status).toBe(429);
    expect((await list(gateway, key)).status).toBe(429);
  });

  it('counts the WebSocket upgrade as a request, and refuses it over the limit before upgrading', async () => {
    const key = await keyOf('live');
    const live = `${gateway.url}/v1/sessions/no-such-session/live?apiKey=${encodeURIComponent(key)}`;
    expect((await upgradeStatus(live)).status).toBe(404);
    expect(statuses([await list(gateway, key), await list(gateway, key)])).toEqual([200, 200]);
    const refused = await upgradeStatus(live);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'urn:agent-orchestrator:problem:rate-limited' });
  });

  it('throttles failed authentication per address: past the limit, even a good key is refused before any key is looked up', async () => {
    const [address, otherAddress, key] = [newAddress(), newAddress(), await keyOf('addresses')];
    const failures = [];
    for (let attempt = 0; attempt < 3; attempt += 1) failures.push(await list(gateway, `wrong-${attempt}`, address));
    expect(statuses(failures)).toEqual([401, 401, 401]);
    expect(failures.map((answer) => answer.headers.get('ratelimit'))).toEqual([
      expect.stringMatching(/^"auth-failures";r=2;t=[12]$/),
      expect.stringMatching(/^"auth-failures";r=1;t=[12]$/),
      expect.stringMatching(/^"auth-failures";r=0;t=[12]$/),
    ]);
    expect(failures[0]!.headers.get('ratelimit-policy')).toBe(`"auth-failures";q=3;w=${windowSeconds}`);

    lookups.length = 0;
    const refused = await list(gateway, key, address);
    expect(refused.status).toBe(429);
    expect((refused.json as { detail: string }).detail).toContain(`Too many failed authentications from ${address}`);
    expect(lookups).toEqual([]);
    expect((await gateway.call('GET', '/healthz', { headers: { 'x-forwarded-for': address } })).status).toBe(200);
    expect((await list(gateway, key, otherAddress)).status).toBe(200);

    await waitSeconds(Number(refused.headers.get('retry-after')));
    expect((await list(gateway, key, address)).status).toBe(200);
  });

  it('documents the 429 on every route that takes a key, and on no public one', async () => {
    const document = (await gateway.call('GET', '/docs/json')).json as { paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>> };
    expect(document.paths['/v1/api-keys']!.get!.responses['429']!.headers).toEqual(expect.objectContaining({ 'Retry-After': expect.anything(), RateLimit: expect.anything(), 'RateLimit-Policy': expect.anything() }));
    expect(document.paths['/v1/sessions/{sessionId}/live']!.get!.responses['429']).toBeDefined();
    expect(document.paths['/healthz']!.get!.responses['429']).toBeUndefined();
  });

  it("counts an address's failures across processes", async () => {
    const address = newAddress();
    expect(statuses([await list(gateway, 'wrong', address), await list(gateway, 'wrong', address), await list(second, 'wrong', address)])).toEqual([401, 401, 401]);
    expect((await list(second, await keyOf('addresses-2'), address)).status).toBe(429);
  });
});
