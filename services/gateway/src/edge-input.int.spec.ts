import { randomBytes } from 'node:crypto';
import { topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { openReadModels } from '@agent-orchestrator/read-models';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { pino } from 'pino';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import { upgradeStatus } from './e2e/hostile-input.behaviour.js';
import { startGateway, type Answer, type GatewayUnderTest } from './gateway-under-test.js';
import { maxNestingDepth } from './http/edge-input.js';

const adminKey = randomBytes(32).toString('base64url');

/** `{"deeper": … "leaf" …}` nested `depth` objects deep, as text: JSON.stringify itself overflows long before 10,000. */
const nested = (depth: number) => `${'{"deeper":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;

describe('text and shapes no part of the platform may keep are refused at the edge', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  const sent: unknown[] = [];
  let otherTenantKey: string;
  let readModels: Awaited<ReturnType<typeof openReadModels>>;

  async function apiKeyCount(): Promise<number> {
    return (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(db.schema)}.api_keys`)).rows[0]!.n;
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_edge_input');
    const store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    const producer = { send: async (message: unknown) => void sent.push(message) } as unknown as MessageProducer;
    readModels = await openReadModels({ url: db.connectionString, schema: `${db.schema}_read` });
    const { sessionQueries: queries, modelCallQueries: modelCalls, approvalQueries: approvals } = readModels;
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024 },
      { logger: pino({ level: 'silent' }), database: await db.tenantDatabase(), sessions: { store, producer, topics: topicNames(), queries, modelCalls, approvals } },
    );
    otherTenantKey = (await new ApiKeyStore(await db.tenantDatabase(), db.schema).create({ tenantId: 'globex', name: 'globex admin', roles: ['admin'], createdBy: 'spec' })).apiKey;
  });
  afterAll(async () => {
    await gateway?.close();
    await readModels?.close();
    await db?.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_read" CASCADE`);
    await db?.dispose();
  });

  const expectProblem = (answer: Answer, status: number, slug: string, field: Record<string, unknown>) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.json).toMatchObject({ type: `urn:agent-orchestrator:problem:${slug}`, status, errors: expect.arrayContaining([expect.objectContaining(field)]) });
  };

  it.each<[string, string, string, unknown, Record<string, unknown>]>([
    ['a goal with a NUL', 'POST', '/v1/sessions', { goal: 'a\u0000b' }, { pointer: '#/goal' }],
    ['a NUL deep in the context', 'POST', '/v1/sessions', { goal: 'g', context: { customer: { note: 'x\u0000' } } }, { pointer: '#/context/customer/note' }],
    ['a context key with a NUL', 'POST', '/v1/sessions', { goal: 'g', context: { 'a\u0000': 1 } }, { pointer: '#/context' }],
    ['a lone surrogate in a goal', 'POST', '/v1/sessions', { goal: 'a\ud800b' }, { pointer: '#/goal' }],
    ['a context nested 10,000 deep', 'POST', '/v1/sessions', `{"goal":"g","context":${nested(10_000)}}`, { detail: expect.stringContaining(String(maxNestingDepth)) }],
    ['an API key name with a NUL', 'POST', '/v1/api-keys', { name: 'a\u0000b', roles: ['viewer'] }, { pointer: '#/name' }],
    ['a NUL in a decision reason', 'POST', `/v1/approvals/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/decision`, { decision: 'reject', reason: 'no\u0000' }, { pointer: '#/reason' }],
  ])('answers %s with 422 naming the field, and sends and writes nothing', async (_, method, path, body, field) => {
    const keysBefore = await apiKeyCount();
    const answer = await gateway.call(method, path, { key: adminKey, ...(typeof body === 'string' ? { rawBody: body, headers: { 'content-type': 'application/json' } } : { body }) });
    expectProblem(answer, 422, 'invalid-body', field);
    expect(sent).toHaveLength(0);
    expect(await apiKeyCount()).toBe(keysBefore);
  });

  it('takes a context nested exactly to the limit past the edge check', async () => {
    // The body itself is level 1 and context level 2: this is the deepest value the edge lets through.
    const rawBody = `{"name":"n","roles":["viewer"],"extra":${nested(maxNestingDepth - 1)}}`;
    const answer = await gateway.call('POST', '/v1/api-keys', { key: adminKey, rawBody, headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-body', errors: [{ pointer: '#/extra', detail: 'unknown field' }] });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a session id that is a NUL', '/v1/sessions/%00', { in: 'path', pointer: '#/sessionId' }],
    ['an approvals filter that is a NUL', '/v1/approvals?sessionId=%00', { in: 'query', pointer: '#/sessionId' }],
    ['a cursor with a NUL', '/v1/sessions?cursor=%00', { in: 'query', pointer: '#/cursor' }],
    ['an API key id that is a NUL', '/v1/api-keys/%00', { in: 'path', pointer: '#/keyId' }],
  ])('answers %s with 422 naming the parameter', async (_, path, field) => {
    const method = path.startsWith('/v1/api-keys/') ? 'DELETE' : 'GET';
    const answer = await gateway.call(method, path, { key: adminKey });
    expectProblem(answer, 422, 'invalid-parameter', field);
  });

  it.each([
    ['a sessions cursor that decodes to a NUL', `/v1/sessions?cursor=${Buffer.from(JSON.stringify({ startedAt: new Date().toISOString(), sessionId: '\u0000' })).toString('base64url')}`],
    ['an approvals cursor that is not a date and an id', `/v1/approvals?before=${Buffer.from(JSON.stringify(['not a date', '\u0000'])).toString('base64url')}`],
  ])('answers %s with 400, not 500', async (_, path) => {
    const answer = await gateway.call('GET', path, { key: adminKey });
    expect(answer.status).toBe(400);
  });

  const sessionId = `s-${randomBytes(4).toString('hex')}`;
  it('answers a path whose percent-encoded bytes are not UTF-8 with a 400 problem, as every refusal', async () => {
    const answer = await gateway.call('PATCH', '/v1/agents/%ED%A0%80', { key: adminKey });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-request', detail: expect.stringContaining('percent-encode it as UTF-8') });
  });

  it('refuses a WebSocket with two apiKey parameters with 400', async () => {
    const answer = await upgradeStatus(`${gateway.url}/v1/sessions/${sessionId}/live?apiKey=${adminKey}&apiKey=x`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-request' });
  });

  it('refuses a WebSocket whose query key and Authorization header disagree with 401, as REST does', async () => {
    const answer = await upgradeStatus(`${gateway.url}/v1/sessions/${sessionId}/live?apiKey=${otherTenantKey}`, { authorization: `Bearer ${adminKey}` });
    expect(answer.status).toBe(401);
    expect((await gateway.call('GET', '/v1/sessions', { headers: { authorization: `Bearer ${adminKey}`, 'x-api-key': otherTenantKey } })).status).toBe(401);
  });

  it('still takes a WebSocket key sent once (the session is unknown: 404, after authentication)', async () => {
    expect((await upgradeStatus(`${gateway.url}/v1/sessions/${sessionId}/live?apiKey=${adminKey}`)).status).toBe(404);
    expect((await upgradeStatus(`${gateway.url}/v1/sessions/${sessionId}/live?apiKey=${adminKey}`, { authorization: `Bearer ${adminKey}` })).status).toBe(404);
  });

  it('documents every path and query parameter of every route, and the Idempotency-Key header', async () => {
    const document = (await gateway.call('GET', '/docs/json')).json as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
    const parameters = (path: string, method = 'get') => (document.paths[path]?.[method]?.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    expect(parameters('/v1/sessions')).toEqual(['query:status', 'query:startedAfter', 'query:startedBefore', 'query:q', 'query:limit', 'query:cursor']);
    expect(parameters('/v1/sessions/{sessionId}/events')).toEqual(['path:sessionId', 'query:fromVersion', 'query:limit']);
    expect(parameters('/v1/approvals')).toEqual(['query:status', 'query:sessionId', 'query:for', 'query:limit', 'query:before']);
    expect(parameters('/v1/agents/{name}')).toEqual(['path:name', 'query:version']);
    expect(parameters('/v1/tools/{name}')).toEqual(['path:name', 'query:version']);
    expect(parameters('/v1/sessions/{sessionId}/live')).toEqual(['path:sessionId', 'query:fromVersion', 'query:ticket', 'query:access_token', 'query:apiKey']);
    expect(parameters('/v1/sessions', 'post')).toEqual(['header:Idempotency-Key']);
    // Every {name} in a path is a documented path parameter.
    for (const [path, operations] of Object.entries(document.paths)) {
      const named = [...path.matchAll(/\{(\w+)\}/g)].map((match) => `path:${match[1]}`);
      for (const method of Object.keys(operations)) expect(parameters(path, method).filter((p) => p.startsWith('path:'))).toEqual(named);
    }
  });
});
