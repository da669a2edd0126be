import { randomBytes, randomUUID } from 'node:crypto';
import { topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { ApprovalsProjection, ParkedCallsProjection, maxGoalSearchLength, openReadModels, SessionsProjection, type ReadModels } from '@agent-orchestrator/read-models';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { pino } from 'pino';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';

const adminKey = randomBytes(32).toString('base64url');

/** GET /v1/sessions?q=: the console's search box, over the sessions read model as the gateway serves it. */
describe('finding sessions by words of their goal', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let readModels: ReadModels;
  let gateway: GatewayUnderTest;
  let otherTenantKey: string;
  const sessions: Record<string, string> = {};

  async function seed(tenantId: string, goal: string, status: string, minute: number): Promise<string> {
    const sessionId = randomUUID();
    await db.pool.query(
      `INSERT INTO ${pg.escapeIdentifier(readModels.schema)}.sessions (session_id, tenant_id, status, goal, constraints, started_at, updated_at, last_stream_version)
       VALUES ($1, $2, $3, $4, '{}', $5, $5, 1)`,
      [sessionId, tenantId, status, goal, `2025-06-01T09:${String(minute).padStart(2, '0')}:00.000Z`],
    );
    return sessionId;
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_sessions_search');
    store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    const producer = { send: async () => undefined } as unknown as MessageProducer;
    readModels = await openReadModels({ url: db.connectionString, schema: `${db.schema}_read` });
    await readModels.dataSource.transaction(async (manager) => {
      await new SessionsProjection(readModels.sessions).setUp(manager);
      await new ApprovalsProjection(readModels.schema).setUp(manager);
      await new ParkedCallsProjection(readModels.schema).setUp(manager);
    });
    const { sessionQueries: queries, modelCallQueries: modelCalls, approvalQueries: approvals } = readModels;
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024 },
      { logger: pino({ level: 'silent' }), database: await db.tenantDatabase(), sessions: { store, producer, topics: topicNames(), queries, modelCalls, approvals } },
    );
    otherTenantKey = (await new ApiKeyStore(await db.tenantDatabase(), db.schema).create({ tenantId: 'globex', name: 'globex admin', roles: ['admin'], createdBy: 'spec' })).apiKey;
    sessions.upgrade = await seed('acme', 'Upgrade customer 42 to Gold', 'completed', 1);
    sessions.refund = await seed('acme', 'Refund order 7', 'completed', 2);
    sessions.plating = await seed('acme', 'GOLD plating 100% of the invoices', 'running', 3);
    sessions.theirs = await seed('globex', 'Upgrade the gold tier', 'completed', 4);
  });
  afterAll(async () => {
    await gateway?.close();
    await readModels?.close();
    await store?.close();
    await db?.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_read" CASCADE`);
    await db?.dispose();
  });

  const listed = async (query: string, key = adminKey) => {
    const answer = await gateway.call('GET', `/v1/sessions?${query}`, { key });
    expect(answer.status).toBe(200);
    return (answer.json as { items: { sessionId: string }[] }).items.map((item) => item.sessionId);
  };

  it("finds a tenant's sessions by a word of the goal, ignoring case, newest first", async () => {
    expect(await listed('q=gold')).toEqual([sessions.plating, sessions.upgrade]);
    expect(await listed(`q=${encodeURIComponent('  customer 42 ')}`)).toEqual([sessions.upgrade]);
    expect(await listed('q=refund&status=completed')).toEqual([sessions.refund]);
    expect(await listed('q=gold&status=completed')).toEqual([sessions.upgrade]);
    expect(await listed('q=nothing%20like%20it')).toEqual([]);
    // `%` is a character to find, not a wildcard; another tenant's goals are never searched.
    expect(await listed(`q=${encodeURIComponent('100%')}`)).toEqual([sessions.plating]);
    expect(await listed('q=tier')).toEqual([]);
    expect(await listed('q=tier', otherTenantKey)).toEqual([sessions.theirs]);
  });

  it('pages a search with the cursor it answered', async () => {
    const first = await gateway.call('GET', '/v1/sessions?q=GOLD&limit=1', { key: adminKey });
    const { items, nextCursor } = first.json as { items: { sessionId: string }[]; nextCursor: string };
    expect(items.map((item) => item.sessionId)).toEqual([sessions.plating]);
    expect(await listed(`q=GOLD&limit=1&cursor=${nextCursor}`)).toEqual([sessions.upgrade]);
  });

  it.each([
    ['an empty search', 'q='],
    ['a search of spaces only', 'q=%20%20'],
    ['a search longer than the limit', `q=${'x'.repeat(maxGoalSearchLength + 1)}`],
  ])('refuses %s with 400 naming q', async (_, query) => {
    const answer = await gateway.call('GET', `/v1/sessions?${query}`, { key: adminKey });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ errors: [expect.objectContaining({ pointer: '#/q' })] });
  });

  it('refuses a search with a NUL at the edge, as every parameter', async () => {
    const answer = await gateway.call('GET', '/v1/sessions?q=a%00b', { key: adminKey });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-parameter', errors: [expect.objectContaining({ in: 'query', pointer: '#/q' })] });
  });

  it('documents q', async () => {
    const document = (await gateway.call('GET', '/docs/json')).json as { paths: Record<string, { get: { parameters: { name: string; description?: string; schema: { maxLength?: number } }[] } }> };
    const q = document.paths['/v1/sessions']!.get.parameters.find((parameter) => parameter.name === 'q');
    expect(q).toMatchObject({ description: expect.stringContaining('goal contains'), schema: { maxLength: maxGoalSearchLength } });
  });
});
