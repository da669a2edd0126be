import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { startGateway, type Call, type GatewayUnderTest } from './gateway-under-test.js';

const maxBodyBytes = 4096;
const adminKey = randomBytes(32).toString('base64url');
const json = { 'content-type': 'application/json' };

/** A syntactically valid body of exactly `bytes` bytes whose name is far too long. */
function bodyOfSize(bytes: number): string {
  const skeleton = JSON.stringify({ name: '', roles: ['viewer'] });
  return JSON.stringify({ name: 'n'.repeat(bytes - skeleton.length), roles: ['viewer'] });
}

describe('bad input to the gateway', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;

  async function rowCount(): Promise<number> {
    const counted = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(db.schema)}.api_keys`);
    return counted.rows[0]!.n;
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_bad_input');
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, bootstrapTenant: 'demo', maxBodyBytes },
      { logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it.each<[string, Call, number, string, Record<string, unknown>?]>([
    ['malformed JSON', { rawBody: '{"name": "ci", "roles": [', headers: json }, 400, 'malformed-body'],
    ['an empty JSON body', { rawBody: '', headers: json }, 400, 'malformed-body'],
    ['a prototype-poisoning body', { rawBody: '{"name":"ci","roles":["viewer"],"__proto__":{"admin":true}}', headers: json }, 400, 'malformed-body'],
    [
      'an unknown field',
      { body: { name: 'ci', roles: ['viewer'], tenantId: 'acme' } },
      422,
      'invalid-body',
      { errors: [{ pointer: '#/tenantId', detail: 'unknown field' }], detail: expect.stringContaining('tenantId') },
    ],
    [
      'a role that does not exist and a missing name',
      { body: { roles: ['viewer', 'root'] } },
      422,
      'invalid-body',
      { errors: expect.arrayContaining([expect.objectContaining({ pointer: '#/name' }), expect.objectContaining({ pointer: '#/roles/1' })]) },
    ],
    ['no roles at all', { body: { name: 'ci', roles: [] } }, 422, 'invalid-body', { errors: [expect.objectContaining({ pointer: '#/roles' })] }],
    ['a JSON array instead of an object', { body: [{ name: 'ci', roles: ['viewer'] }] }, 422, 'invalid-body', { errors: [expect.objectContaining({ pointer: '#' })] }],
    ['no body at all', {}, 422, 'invalid-body'],
    ['a body one byte over the limit', { rawBody: bodyOfSize(maxBodyBytes + 1), headers: json }, 413, 'body-too-large', { detail: expect.stringContaining('4096') }],
    ['a text/plain body', { rawBody: '{"name":"ci","roles":["viewer"]}', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-media-type'],
    ['a form body', { rawBody: 'name=ci&roles=viewer', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported-media-type'],
  ])('answers %s with a problem, and writes nothing', async (_, call, status, slug, extra = {}) => {
    const before = await rowCount();
    const answer = await gateway.call('POST', '/v1/api-keys', { key: adminKey, ...call });
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.json).toEqual({
      type: `urn:agent-orchestrator:problem:${slug}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: '/v1/api-keys',
      ...(status === 422 ? { errors: expect.any(Array) } : {}),
      ...extra,
    });
    expect(await rowCount()).toBe(before);
  });

  it('parses a body exactly at the limit (then refuses its long name with 422)', async () => {
    const atLimit = bodyOfSize(maxBodyBytes);
    expect(Buffer.byteLength(atLimit)).toBe(maxBodyBytes);
    const answer = await gateway.call('POST', '/v1/api-keys', { key: adminKey, rawBody: atLimit, headers: json });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ errors: [expect.objectContaining({ pointer: '#/name' })] });
  });

  it('accepts application/json with a charset', async () => {
    const before = await rowCount();
    const answer = await gateway.call('POST', '/v1/api-keys', {
      key: adminKey,
      rawBody: JSON.stringify({ name: 'ci', roles: ['viewer'] }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(answer.status).toBe(201);
    expect(await rowCount()).toBe(before + 1);
  });

  it('answers an unknown route with 404 problem+json', async () => {
    for (const [method, path] of [
      ['GET', '/v1/sessions-that-do-not-exist'],
      ['PUT', '/v1/api-keys'],
      ['GET', '/'],
    ] as const) {
      const answer = await gateway.call(method, path, { key: adminKey });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:route-not-found', status: 404, instance: path });
    }
  });
});
