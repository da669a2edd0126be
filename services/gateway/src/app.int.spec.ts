import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { createGatewayApp } from './app.js';
import type { GatewayConfig } from './config.js';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';

const silent = pino({ level: 'silent' });

function configFor(db: TestSchema, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    databaseUrl: db.connectionString,
    port: 0,
    schema: db.schema,
    bootstrapAdminApiKey: undefined,
    bootstrapTenant: 'demo',
    maxBodyBytes: 1024 * 1024,
    ...overrides,
  };
}

/** A pino logger whose lines the spec can read. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('the gateway app', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    db = await createTestSchema('gateway_app');
    gateway = await startGateway(configFor(db), { logger: silent });
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('answers /healthz without a key', async () => {
    const answer = await gateway.call('GET', '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI document listing the routes and both ways to send a key', async () => {
    const answer = await gateway.call('GET', '/docs/json');
    expect(answer.status).toBe(200);
    const document = answer.json as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(Object.keys(document.paths).sort()).toEqual([
      '/healthz',
      '/readyz',
      '/v1/admin-events',
      '/v1/api-keys',
      '/v1/api-keys/{keyId}',
      '/v1/api-keys/{keyId}/rotate',
      '/v1/me',
      '/v1/role-mapping',
      '/v1/sign-in',
      '/v1/tenants',
      '/v1/tenants/{tenantId}',
      '/v1/tenants/{tenantId}/resume',
      '/v1/tenants/{tenantId}/suspend',
    ]);
    expect(Object.keys(document.paths['/v1/api-keys']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/v1/api-keys/{keyId}']!)).toEqual(['delete']);
    // Every field of a rotation has a default, so the body may be left out.
    expect(document.paths['/v1/api-keys/{keyId}/rotate']!.post!.requestBody).toMatchObject({
      required: false,
      content: { 'application/json': { schema: { properties: { overlapSeconds: { default: 86_400, minimum: 0, maximum: 2_592_000 } }, additionalProperties: false } } },
    });
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    });
    expect(document.paths['/v1/api-keys']!.post!.security).toEqual(expect.arrayContaining([{ bearer: [] }, { apiKey: [] }]));
    expect(document.paths['/healthz']!.get!.security).toBeUndefined();
    expect(document.paths['/v1/api-keys']!.post!.requestBody).toMatchObject({
      content: { 'application/json': { schema: { required: ['name', 'roles'], additionalProperties: false } } },
    });
    expect(document.components.schemas.Problem).toBeDefined();

    const ui = await gateway.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('registers the bootstrap key once, even when instances start together, and adds a rotated one beside it', async () => {
    const own = await createTestSchema('gateway_bootstrap');
    const first = randomBytes(32).toString('base64url');
    const second = randomBytes(32).toString('base64url');
    const started: GatewayUnderTest[] = [];
    try {
      started.push(...(await Promise.all([1, 2, 3].map(() => startGateway(configFor(own, { bootstrapAdminApiKey: first }), { logger: silent })))));
      const table = `${pg.escapeIdentifier(own.schema)}.api_keys`;
      expect((await own.pool.query(`SELECT tenant_id, roles FROM ${table}`)).rows).toEqual([{ tenant_id: 'demo', roles: ['admin'] }]);

      started.push(await startGateway(configFor(own, { bootstrapAdminApiKey: second }), { logger: silent }));
      expect((await own.pool.query(`SELECT 1 FROM ${table} WHERE revoked_at IS NULL`)).rowCount).toBe(2);
      for (const key of [first, second]) expect((await started.at(-1)!.call('GET', '/v1/api-keys', { key })).status).toBe(200);

      // The admin revokes the first key; restarting with it configured does not bring it back.
      const keys = (await started.at(-1)!.call('GET', '/v1/api-keys', { key: second })).json as { items: { keyId: string }[] };
      const firstKeyId = (await own.pool.query<{ key_id: string }>(`SELECT key_id FROM ${table} ORDER BY created_at LIMIT 1`)).rows[0]!.key_id;
      expect(keys.items.map((k) => k.keyId)).toContain(firstKeyId);
      expect((await started.at(-1)!.call('DELETE', `/v1/api-keys/${firstKeyId}`, { key: second })).status).toBe(204);
      const { logger, lines } = capturingLogger();
      started.push(await startGateway(configFor(own, { bootstrapAdminApiKey: first }), { logger }));
      expect((await started.at(-1)!.call('GET', '/v1/api-keys', { key: first })).status).toBe(401);
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'BOOTSTRAP_ADMIN_API_KEY has been revoked; it stays revoked' }));
      expect(JSON.stringify(lines)).not.toContain(first);
    } finally {
      for (const app of started) await app.close();
      await own.dispose();
    }
  });

  it('closes the pools it opened when the app closes, and leaves the pools it was given open', async () => {
    const applicationName = `gateway_${randomBytes(6).toString('hex')}`;
    const connections = async () =>
      (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows[0]!.n;
    const owning = await createGatewayApp(configFor(db, { databaseUrl: `${db.connectionString}?application_name=${applicationName}` }), { logger: silent });
    expect(await connections()).toBeGreaterThan(0);
    await owning.close();
    await waitFor('the connections of the closed app to end', async () => (await connections()) === 0);

    const given = await db.tenantDatabase();
    const app = await createGatewayApp(configFor(db), { database: given, logger: silent });
    await app.close();
    for (const pool of [given.pool, given.tenantPool]) expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('answers an unexpected failure with a bare 500 and logs the cause', async () => {
    const own = await createTestSchema('gateway_failure');
    const { logger, lines } = capturingLogger();
    const key = randomBytes(32).toString('base64url');
    const failing = await startGateway(configFor(own, { bootstrapAdminApiKey: key }), { logger });
    try {
      await own.pool.query(`ALTER TABLE ${pg.escapeIdentifier(own.schema)}.api_keys RENAME TO api_keys_gone`);
      const answer = await failing.call('GET', '/v1/api-keys', { key });
      expect(answer.status).toBe(500);
      expect(answer.json).toEqual({
        type: 'urn:agent-orchestrator:problem:internal-error',
        title: 'Internal error',
        status: 500,
        detail: 'The gateway failed to handle this request. The failure has been logged.',
        instance: '/v1/api-keys',
      });
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 50, msg: 'request failed', err: expect.objectContaining({ message: expect.stringContaining('api_keys') }) }),
      );
    } finally {
      await failing.close();
      await own.dispose();
    }
  });
});
