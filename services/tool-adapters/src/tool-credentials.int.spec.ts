import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentRunStream, sessionStream, toolCallStream, toolRegistryStream, topicNames, type EventEnvelope, type NewEvent, type ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { PostgresSecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { compileOpenApi } from '@agent-orchestrator/tools';
import { pino } from 'pino';
import { HttpExecutor } from './execution/http-executor.js';
import { ToolCalls, type PolicyDecision } from './tool-calls.js';

/** Records what arrived and echoes the credential-bearing parts back, as a careless server might. */
function startToolServer(): Promise<{ server: Server; baseUrl: string; requests: { url: string; headers: IncomingMessage['headers'] }[] }> {
  const requests: { url: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    const echo = JSON.stringify({ url: request.url, authorization: request.headers.authorization, apiKey: request.headers['x-api-key'] });
    if (request.url?.startsWith('/mangled')) return void response.writeHead(200, { 'content-type': 'application/json' }).end(mangled(request.headers.authorization ?? ''));
    if (request.url?.startsWith('/refuse')) return void response.writeHead(401, { 'content-type': 'text/plain' }).end(`not with ${echo}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(echo);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests })));
}

/** The bearer token echoed as a careless server might transform it; the JSON escapes are written out, as JSON.stringify would not. */
function mangled(authorization: string): string {
  const token = authorization.replace(/^Bearer /, '');
  const bytes = Buffer.from(token, 'utf8');
  const escaped = [...token].map((char, i) => (i % 2 === 0 ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}` : char)).join('');
  return `{"upper": "${token.toUpperCase()}", "hex": "${bytes.toString('hex')}", "HEX": "${bytes.toString('hex').toUpperCase()}", "base64": "${bytes.toString('base64')}", "base64url": "${bytes.toString('base64url')}", "inBasic": "${Buffer.from(`x${token}`).toString('base64')}", "escaped": "${escaped}"}`;
}

const get = (operationId: string, security: Record<string, string[]>[]) => ({ get: { operationId, security, responses: { '200': { description: 'ok' } } } });

const documentFor = (baseUrl: string) => ({
  openapi: '3.1.0',
  info: { title: 'CRM', version: '1' },
  servers: [{ url: baseUrl }],
  components: {
    securitySchemes: {
      headerKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      queryKey: { type: 'apiKey', in: 'query', name: 'api_key' },
      token: { type: 'http', scheme: 'bearer' },
      login: { type: 'http', scheme: 'basic' },
      unnamed: { type: 'apiKey', in: 'header', name: 'X-Other' },
      session: { type: 'apiKey', in: 'cookie', name: 'session' },
      csrf: { type: 'apiKey', in: 'cookie', name: 'csrf' },
    },
  },
  paths: {
    '/header': get('viaHeader', [{ headerKey: [] }]),
    '/query': get('viaQuery', [{ queryKey: [] }]),
    '/bearer': get('viaBearer', [{ token: [] }]),
    '/basic': get('viaBasic', [{ login: [] }]),
    '/refuse': get('refused', [{ token: [] }]),
    '/mangled': get('mangled', [{ token: [] }]),
    '/unset': get('unsetSecret', [{ headerKey: [], queryKey: [] }]),
    '/unnamed': get('unnamedScheme', [{ unnamed: [] }]),
    '/public': get('open', []),
    '/cookie': get('viaCookies', [{ session: [], csrf: [] }]),
  },
});

// The key has characters a query string encodes, so the encoded form must be scrubbed too.
const secretValues = { 'crm-key': 'ak live/7Hq+2Zp=9Wm4', 'crm-token': 'tok_Rb8Lx3Vn6Qe1', 'crm-login': 'ada:s3cret-Pass', 'crm-session': 'sess 4;Kq"9', 'crm-csrf': 'csrf-Tz81.w' };

describe('tool calls present the credentials their tool names', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let secrets: PostgresSecretStore;
  let tool: Awaited<ReturnType<typeof startToolServer>>;
  let calls: ToolCalls;
  const tenantId = `t${randomBytes(4).toString('hex')}`;
  const sessionId = `s-${randomUUID()}`;
  let callCount = 0;

  const envelope = (type: string, data: unknown, schemaVersion = 1): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion,
    tenantId,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'spec' },
    occurredAt: new Date().toISOString(),
    traceparent: null,
    data,
  });

  /** Requests a call of `crm__<operation>`, lets the policy allow it, and returns the stored answer. */
  async function callOperation(operation: string): Promise<EventEnvelope> {
    const runId = `${sessionId}.step.${operation}.1`;
    const call = { sessionId, runId, agent: 'Clerk', callId: `call-${++callCount}`, tool: `crm__${operation}` };
    await store.append(agentRunStream(runId), [envelope('ToolCallRequested', { ...call, arguments: '{}' })]);
    const decision = { data: { ...call, target: null, effect: 'allow', ruleId: 'default', policyVersion: 0, reason: 'allowed' } } as unknown as PolicyDecision;
    await calls.onPolicyDecision(decision);
    const [answer] = await store.readStream(toolCallStream(runId, call.callId));
    return answer!;
  }

  beforeAll(async () => {
    db = await createTestSchema('tool_credentials');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    secrets = await PostgresSecretStore.open({ database: await db.tenantDatabase(), schema: `${db.schema}_secrets`, key: randomBytes(32) });
    for (const [name, value] of Object.entries(secretValues)) await secrets.put(tenantId, name, value);
    tool = await startToolServer();
    const compiled = await compileOpenApi(documentFor(tool.baseUrl));
    const definition: ToolDefinition = {
      source: { kind: 'inline' },
      document: {},
      scopes: [],
      ...compiled,
      operations: compiled.operations.map((o) => ({ ...o, parameters: [...o.parameters], security: [...o.security] })),
      credentials: { headerKey: 'crm-key', queryKey: 'crm-key', token: 'crm-token', login: 'crm-login', session: 'crm-session', csrf: 'crm-csrf' },
    };
    await store.append(toolRegistryStream(tenantId), [envelope('ToolRegistered', { name: 'crm', version: 1, definition })]);
    await store.append(sessionStream(sessionId), [envelope('SessionStarted', { goal: 'Look up a customer', context: {}, constraints: {}, agentVersions: {}, toolVersions: { crm: 1 } }, 3)]);
    const producer = { send: async () => undefined } as unknown as MessageProducer;
    calls = new ToolCalls({
      store,
      // The tool server is on loopback, trusted here by the operator's allow-list.
      executor: new HttpExecutor({ retries: 0 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] })),
      producer,
      topics: topicNames(),
      logger: pino({ level: 'silent' }),
      now: () => new Date().toISOString(),
      // No PII redaction: what keeps the values out here is the credential scrubbing alone.
      redact: { kindsFor: async () => [] },
      secrets,
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => tool.server.close(() => resolve()));
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_secrets" CASCADE`);
    await db.dispose();
  });
  beforeEach(() => tool.requests.splice(0));

  it('puts an apiKey in its header, an apiKey in its query, a bearer token and basic credentials in Authorization', async () => {
    for (const operation of ['viaHeader', 'viaQuery', 'viaBearer', 'viaBasic']) expect(await callOperation(operation)).toMatchObject({ type: 'ToolCallCompleted' });
    const [header, query, bearer, basic] = tool.requests;
    expect(header).toMatchObject({ url: '/header', headers: { 'x-api-key': secretValues['crm-key'] } });
    expect(header!.headers.authorization).toBeUndefined();
    expect(new URL(query!.url, tool.baseUrl).searchParams.get('api_key')).toBe(secretValues['crm-key']);
    expect(query!.headers['x-api-key']).toBeUndefined();
    expect(bearer!.headers.authorization).toBe(`Bearer ${secretValues['crm-token']}`);
    expect(basic!.headers.authorization).toBe(`Basic ${Buffer.from(secretValues['crm-login']).toString('base64')}`);
  });

  it('sends apiKeys in cookies, together in one Cookie header, encoding what a cookie value cannot hold', async () => {
    expect(await callOperation('viaCookies')).toMatchObject({ type: 'ToolCallCompleted' });
    expect(tool.requests[0]!.headers.cookie).toBe('session=sess%204%3BKq%229; csrf=csrf-Tz81.w');
    expect(tool.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('presents nothing to an operation without security', async () => {
    expect(await callOperation('open')).toMatchObject({ type: 'ToolCallCompleted' });
    expect(tool.requests[0]!.headers.authorization).toBeUndefined();
    expect(tool.requests[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('keeps an echoed credential out of the stored answer, whether output or failure reason', async () => {
    const completed = await callOperation('viaBearer');
    const refused = await callOperation('refused');
    expect(refused).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringContaining('answered 401') } });
    for (const answer of [completed, refused]) {
      expect(JSON.stringify(answer)).toContain('[REDACTED:secret]');
      expect(JSON.stringify(answer)).not.toContain(secretValues['crm-token']);
    }
  });

  it('keeps the credential out of the stored answer when the tool echoes it upper-cased, hex, base64, base64url or JSON-escaped', async () => {
    const answer = await callOperation('mangled');
    expect(answer).toMatchObject({ type: 'ToolCallCompleted' });
    const output = (answer as { data: { output: string } }).data.output;
    const parsed = JSON.parse(output) as Record<string, string>;
    // Every field was replaced whole; the JSON-escaped one would decode to the token if it were not.
    for (const field of ['upper', 'hex', 'HEX', 'base64', 'base64url', 'escaped']) expect(parsed[field]).toBe('[REDACTED:secret]');
    expect(parsed.inBasic).toContain('[REDACTED:secret]');
    expect(JSON.stringify(parsed).toLowerCase()).not.toContain(secretValues['crm-token'].toLowerCase());
  });

  it('does not call the tool when a secret it names is not set, and says which and how to set it', async () => {
    await secrets.delete(tenantId, 'crm-key');
    try {
      const answer = await callOperation('unsetSecret');
      expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/secret crm-key .*is not set.*PUT \/v1\/secrets\/crm-key/) } });
      expect(tool.requests).toEqual([]);
    } finally {
      await secrets.put(tenantId, 'crm-key', secretValues['crm-key']);
    }
  });

  it('does not call the tool when its registration names no secret for a scheme the operation needs', async () => {
    const answer = await callOperation('unnamedScheme');
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringContaining('needs the unnamed credential') } });
    expect(tool.requests).toEqual([]);
  });

  it('does not call the tool when its tenant was crypto-shredded, and says so', async () => {
    await secrets.shredTenant(tenantId);
    try {
      const answer = await callOperation('viaBearer');
      expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/not sent: secret crm-token .*crypto-shredded/) } });
      expect(tool.requests).toEqual([]);
    } finally {
      for (const [name, value] of Object.entries(secretValues)) await secrets.put(tenantId, name, value);
    }
  });

  it('never stores a secret value in any event', async () => {
    const { rows } = await db.pool.query<{ content: unknown }>(`SELECT content FROM "${db.schema}".events`);
    const everything = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(5);
    for (const value of Object.values(secretValues)) expect(everything).not.toContain(value);
    // Nor in the forms they travelled in, which the servers here echo back.
    expect(everything).not.toContain(Buffer.from(secretValues['crm-login']).toString('base64'));
    expect(everything).not.toContain(new URLSearchParams({ api_key: secretValues['crm-key'] }).toString());
    expect(everything).not.toContain(encodeURIComponent(secretValues['crm-key']));
  });
});
