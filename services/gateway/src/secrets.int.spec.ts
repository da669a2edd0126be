import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { PostgresSecretStore, type SecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino, type Logger } from 'pino';
import type { GatewayDeps } from './app.js';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import type { GatewayConfig } from './config.js';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';
import type { SessionsBackend } from './sessions/sessions.js';

const adminKey = randomBytes(32).toString('base64url');

function configFor(db: TestSchema): GatewayConfig {
  return { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024 };
}

/** The secrets routes touch only the secret store; the session backend is there because the routes come with it. */
async function backendFor(db: TestSchema): Promise<SessionsBackend> {
  const store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
  const unused = {} as never;
  return { store, producer: { send: async () => undefined } as unknown as MessageProducer, topics: topicNames(), queries: unused, modelCalls: unused, approvals: unused };
}

/** startGateway hands its deps to createGatewayApp whole, so the store and backend reach the app. */
async function depsFor(db: TestSchema, logger: Logger, secrets: SecretStore | null): Promise<GatewayDeps & { logger: Logger }> {
  return { logger, database: await db.tenantDatabase(), sessions: await backendFor(db), secrets };
}

function capturingLogger(): { logger: pino.Logger; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), text: () => lines.join('') };
}

describe('the secrets API', () => {
  let db: TestSchema;
  let secrets: SecretStore;
  let gateway: GatewayUnderTest;
  let log: ReturnType<typeof capturingLogger>;
  const keys: Record<'operator' | 'viewer' | 'approver' | 'otherTenantAdmin', string> = { operator: '', viewer: '', approver: '', otherTenantAdmin: '' };
  const value = 'sk_live_Zq81Lm4Nx7Pw2';

  beforeAll(async () => {
    db = await createTestSchema('gateway_secrets');
    secrets = await PostgresSecretStore.open({ database: await db.tenantDatabase(), schema: `${db.schema}_secrets`, key: randomBytes(32) });
    log = capturingLogger();
    gateway = await startGateway(configFor(db), await depsFor(db, log.logger, secrets));
    const apiKeys = new ApiKeyStore(await db.tenantDatabase(), db.schema);
    for (const role of ['operator', 'viewer', 'approver'] as const) keys[role] = (await apiKeys.create({ tenantId: 'acme', name: role, roles: [role], createdBy: 'spec' })).apiKey;
    keys.otherTenantAdmin = (await apiKeys.create({ tenantId: 'globex', name: 'globex admin', roles: ['admin'], createdBy: 'spec' })).apiKey;
  });
  afterAll(async () => {
    await gateway?.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_secrets" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE`);
    await db?.dispose();
  });

  it('lets an admin set a secret, answering its name and version and never its value', async () => {
    const first = await gateway.call('PUT', '/v1/secrets/crm-token', { key: adminKey, body: { value } });
    expect(first).toMatchObject({ status: 200, json: { name: 'crm-token', version: 1, updatedAt: expect.any(String) } });
    const second = await gateway.call('PUT', '/v1/secrets/crm-token', { key: adminKey, body: { value: `${value}-rotated` } });
    expect(second.json).toMatchObject({ name: 'crm-token', version: 2 });
    for (const answer of [first, second]) expect(answer.text).not.toContain(value);
    expect(await secrets.get('acme', 'crm-token')).toBe(`${value}-rotated`);
  });

  it('lists names and versions only, per tenant', async () => {
    await gateway.call('PUT', '/v1/secrets/ledger-key', { key: adminKey, body: { value: 'ledger-value-1234' } });
    const listed = await gateway.call('GET', '/v1/secrets', { key: adminKey });
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({
      items: [
        { name: 'crm-token', version: 2, updatedAt: expect.any(String) },
        { name: 'ledger-key', version: 1, updatedAt: expect.any(String) },
      ],
    });
    expect(listed.text).not.toContain(value);
    expect(listed.text).not.toContain('ledger-value-1234');
    expect((await gateway.call('GET', '/v1/secrets', { key: keys.otherTenantAdmin })).json).toEqual({ items: [] });
  });

  it('refuses every other role, on every route', async () => {
    for (const role of ['operator', 'viewer', 'approver'] as const) {
      const key = keys[role];
      for (const [method, path, body] of [
        ['PUT', '/v1/secrets/crm-token', { value: 'stolen-value' }],
        ['GET', '/v1/secrets', undefined],
        ['DELETE', '/v1/secrets/crm-token', undefined],
      ] as const) {
        const answer = await gateway.call(method, path, { key, ...(body ? { body } : {}) });
        expect({ role, method, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ role, method, status: 403, type: expect.stringMatching(/^application\/problem\+json/) });
      }
    }
    expect(await secrets.get('acme', 'crm-token')).toBe(`${value}-rotated`);
    expect((await gateway.call('GET', '/v1/secrets')).status).toBe(401);
  });

  it('refuses a body with unknown fields or no value, and a name it cannot store, writing nothing', async () => {
    const unknownField = await gateway.call('PUT', '/v1/secrets/new-one', { key: adminKey, body: { value, note: 'x' } });
    expect(unknownField).toMatchObject({ status: 422, json: { errors: [{ pointer: '#/note', detail: 'unknown field' }] } });
    expect(unknownField.text).not.toContain(value);
    expect((await gateway.call('PUT', '/v1/secrets/new-one', { key: adminKey, body: { value: '' } })).status).toBe(422);
    expect((await gateway.call('PUT', '/v1/secrets/new%20one!', { key: adminKey, body: { value } })).status).toBe(400);
    expect(await secrets.get('acme', 'new-one')).toBeUndefined();
  });

  it('keeps the audit signing keys (names starting with "audit.") out of reach: 422 to set or delete, never listed, never a tool\'s credential', async () => {
    await secrets.put('acme', 'audit.signing-key', 'the-platform-signing-key');
    for (const name of ['audit.signing-key', 'AUDIT.signing-key', 'audit.other']) {
      const set = await gateway.call('PUT', `/v1/secrets/${name}`, { key: adminKey, body: { value: 'forged-key' } });
      expect(set).toMatchObject({ status: 422, json: { detail: expect.stringContaining("reserved: they hold the platform's audit signing keys") } });
      expect((await gateway.call('DELETE', `/v1/secrets/${name}`, { key: adminKey })).status).toBe(422);
    }
    expect(await secrets.get('acme', 'audit.signing-key')).toBe('the-platform-signing-key');
    const listed = (await gateway.call('GET', '/v1/secrets', { key: adminKey })).json as { items: { name: string }[] };
    expect(listed.items.map((secret) => secret.name)).not.toContain('audit.signing-key');
    expect(listed.items.length).toBeGreaterThan(0);
    const document = { openapi: '3.0.3', info: { title: 'exfil', version: '1' }, servers: [{ url: 'https://exfil.example' }], components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'x-key' } } }, security: [{ key: [] }], paths: { '/x': { get: { operationId: 'x', responses: { '200': { description: 'x' } } } } } };
    const tool = await gateway.call('POST', '/v1/tools', { key: adminKey, body: { name: 'exfil', document, credentials: { key: 'audit.signing-key' } } });
    expect(tool).toMatchObject({ status: 422, json: { errors: [{ pointer: '#/credentials', detail: expect.stringContaining('reserved') }] } });
    const mcp = await gateway.call('POST', '/v1/tools', { key: adminKey, body: { name: 'exfil', mcp: { url: 'https://exfil.example/mcp', credentials: 'Audit.signing-key' } } });
    expect(mcp).toMatchObject({ status: 422, json: { errors: [{ pointer: '#/mcp/credentials' }] } });
    await secrets.delete('acme', 'audit.signing-key');
  });

  it("deletes a secret, and says 404 for one the tenant does not have (another tenant's included)", async () => {
    expect((await gateway.call('DELETE', '/v1/secrets/ledger-key', { key: keys.otherTenantAdmin })).status).toBe(404);
    expect((await gateway.call('DELETE', '/v1/secrets/ledger-key', { key: adminKey })).status).toBe(204);
    expect((await gateway.call('DELETE', '/v1/secrets/ledger-key', { key: adminKey })).status).toBe(404);
    expect(await secrets.get('acme', 'ledger-key')).toBeUndefined();
  });

  it("records each set and delete on the tenant's admin stream, by name and version, never the value", async () => {
    const page = await gateway.call('GET', '/v1/admin-events?limit=1000', { key: adminKey });
    expect(page.status).toBe(200);
    const secretEvents = (page.json as { items: { type: string; data: unknown; actor: unknown }[] }).items.filter((event) => event.type.startsWith('Secret'));
    expect(secretEvents.map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'SecretSet', data: { name: 'crm-token', version: 1 } },
      { type: 'SecretSet', data: { name: 'crm-token', version: 2 } },
      { type: 'SecretSet', data: { name: 'ledger-key', version: 1 } },
      { type: 'SecretDeleted', data: { name: 'ledger-key' } },
    ]);
    expect(secretEvents[0]!.actor).toMatchObject({ kind: 'user', id: expect.stringMatching(/^key:/) });
    for (const secret of [value, 'ledger-value-1234']) expect(page.text).not.toContain(secret);
    const otherTenant = await gateway.call('GET', '/v1/admin-events?limit=1000', { key: keys.otherTenantAdmin });
    expect((otherTenant.json as { items: { type: string }[] }).items.filter((event) => event.type.startsWith('Secret'))).toEqual([]);
  });

  it('writes a secret and its admin event together, or neither', async () => {
    const refuse = `"${db.schema}".refuse_admin_events`;
    await db.pool.query(`CREATE FUNCTION ${refuse}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the spec refuses this append'; END $$;
      CREATE TRIGGER refuse_admin_events BEFORE INSERT ON "${db.schema}".events FOR EACH ROW EXECUTE FUNCTION ${refuse}()`);
    try {
      expect((await gateway.call('PUT', '/v1/secrets/never-kept', { key: adminKey, body: { value: 'kept-with-its-event' } })).status).toBe(500);
      expect((await gateway.call('DELETE', '/v1/secrets/crm-token', { key: adminKey })).status).toBe(500);
    } finally {
      await db.pool.query(`DROP TRIGGER refuse_admin_events ON "${db.schema}".events; DROP FUNCTION ${refuse}()`);
    }
    expect(await secrets.get('acme', 'never-kept')).toBeUndefined();
    expect(await secrets.get('acme', 'crm-token')).toBe(`${value}-rotated`);
  });

  it('writes no secret value to its log', () => {
    expect(log.text()).toContain('/v1/secrets');
    expect(log.text()).not.toContain(value);
    expect(log.text()).not.toContain('ledger-value-1234');
  });
});

describe('the secrets API without a secret store', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  beforeAll(async () => {
    db = await createTestSchema('gateway_no_secrets');
    gateway = await startGateway(configFor(db), await depsFor(db, pino({ level: 'silent' }), null));
  });
  afterAll(async () => {
    await gateway?.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE`);
    await db?.dispose();
  });

  it('answers 503 saying which variables configure one', async () => {
    const answer = await gateway.call('PUT', '/v1/secrets/crm-token', { key: adminKey, body: { value: 'x'.repeat(10) } });
    expect(answer).toMatchObject({ status: 503, json: { detail: expect.stringContaining('SECRETS_KEY') } });
    expect((await gateway.call('GET', '/v1/secrets', { key: adminKey })).status).toBe(503);
  });
});
