import { randomBytes, randomUUID } from 'node:crypto';
import { adminStream, agentRunStream, sessionStream, toolCallStream, toolRegistryStream, topicNames, type EventEnvelope, type NewEvent, type ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { PostgresSecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { compileOpenApi } from '@agent-orchestrator/tools';
import { pino } from 'pino';
import { formClient, machineClient, personClient, startAuthorizationServer, startPetsApi, type AuthorizationServerUnderTest, type PetsApiUnderTest } from './execution/authorization-server-under-test.js';
import { HttpExecutor } from './execution/http-executor.js';
import { OAuthTokens } from './execution/oauth-tokens.js';
import { recordSecretRotation } from './execution/secret-rotations.js';
import { ToolCalls, type PolicyDecision } from './tool-calls.js';

const ok = { '200': { description: 'ok' } };

const documentFor = (apiUrl: string, issuer: string) => ({
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  servers: [{ url: apiUrl }],
  components: {
    securitySchemes: {
      machine: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { api: 'the pets API' } } } },
      person: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: `${issuer}/auth`, tokenUrl: `${issuer}/token`, scopes: { api: 'the pets API' } } } },
      oidc: { type: 'openIdConnect', openIdConnectUrl: `${issuer}/.well-known/openid-configuration` },
    },
  },
  paths: {
    '/pets': { get: { operationId: 'listPets', security: [{ machine: ['api'] }], responses: ok } },
    '/locked': { get: { operationId: 'locked', security: [{ machine: ['api'] }], responses: ok } },
    '/mine': { get: { operationId: 'myPets', security: [{ person: ['api'] }], responses: ok } },
    '/discovered': { get: { operationId: 'viaDiscovery', security: [{ oidc: ['api'] }], responses: ok } },
  },
});

describe('tool calls with OAuth 2 and OpenID Connect credentials, against a real authorization server', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let secrets: PostgresSecretStore;
  let authorization: AuthorizationServerUnderTest;
  let api: PetsApiUnderTest;
  let calls: ToolCalls;
  let unguarded: ToolCalls;
  let now = Date.now();
  const tenantId = `t${randomBytes(4).toString('hex')}`;
  const sessionId = `s-${randomUUID()}`;
  let callCount = 0;
  let firstRefreshToken = '';

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

  /** Requests a call of `<tool>__<operation>`, lets the policy allow it, and returns the stored answer. */
  async function callOperation(tool: string, operation: string, through = calls): Promise<EventEnvelope & { data: { output?: string; reason?: string } }> {
    const runId = `${sessionId}.step.${operation}.${++callCount}`;
    const call = { sessionId, runId, agent: 'Keeper', callId: `call-${callCount}`, tool: `${tool}__${operation}` };
    await store.append(agentRunStream(runId), [envelope('ToolCallRequested', { ...call, arguments: '{}' })]);
    await through.onPolicyDecision({ data: { ...call, target: null, effect: 'allow', ruleId: 'default', policyVersion: 0, reason: 'allowed' } } as unknown as PolicyDecision);
    const [answer] = await store.readStream(toolCallStream(runId, call.callId));
    return answer as EventEnvelope & { data: { output?: string; reason?: string } };
  }

  const tokensSeen = () => new Set(api.requests.map((request) => request.token).filter((token): token is string => token !== undefined));
  const storedRefreshToken = async () => (JSON.parse((await secrets.get(tenantId, 'pets-person'))!) as { refreshToken: string }).refreshToken;

  beforeAll(async () => {
    db = await createTestSchema('tool_oauth');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    secrets = await PostgresSecretStore.open({ database: await db.tenantDatabase(), schema: `${db.schema}_secrets`, key: randomBytes(32) });
    authorization = await startAuthorizationServer();
    api = await startPetsApi(authorization);
    firstRefreshToken = await authorization.refreshToken();
    await secrets.put(tenantId, 'pets-machine', JSON.stringify(machineClient));
    await secrets.put(tenantId, 'pets-person', JSON.stringify({ ...personClient, refreshToken: firstRefreshToken }));
    await secrets.put(tenantId, 'form-client', JSON.stringify(formClient));
    await secrets.put(tenantId, 'strays-wrong', JSON.stringify({ clientId: machineClient.clientId, clientSecret: 'not-the-Secret-42' }));
    await secrets.put(tenantId, 'strays-garbled', '{"clientId": "machine", "clientSecret": "half-a-Secret-7"');
    await secrets.put(tenantId, 'strays-typo', JSON.stringify({ client_id: 'machine', clientSecret: 'typo-Secret-9' }));

    const compiled = await compileOpenApi(documentFor(api.baseUrl, authorization.issuer));
    const definition = (credentials: Record<string, string>): ToolDefinition => ({
      source: { kind: 'inline' },
      document: {},
      scopes: [],
      ...compiled,
      operations: compiled.operations.map((o) => ({ ...o, parameters: [...o.parameters], security: [...o.security] })),
      credentials,
    });
    await store.append(toolRegistryStream(tenantId), [
      envelope('ToolRegistered', { name: 'pets', version: 1, definition: definition({ machine: 'pets-machine', person: 'pets-person', oidc: 'pets-machine' }) }),
      envelope('ToolRegistered', { name: 'former', version: 1, definition: definition({ machine: 'form-client' }) }),
      envelope('ToolRegistered', { name: 'wrong', version: 1, definition: definition({ machine: 'strays-wrong' }) }),
      envelope('ToolRegistered', { name: 'garbled', version: 1, definition: definition({ machine: 'strays-garbled' }) }),
      envelope('ToolRegistered', { name: 'typo', version: 1, definition: definition({ machine: 'strays-typo' }) }),
    ]);
    await store.append(sessionStream(sessionId), [
      envelope('SessionStarted', { goal: 'Feed the pets', context: {}, constraints: {}, agentVersions: {}, toolVersions: { pets: 1, former: 1, wrong: 1, garbled: 1, typo: 1 } }, 3),
    ]);
    const producer = { send: async () => undefined } as unknown as MessageProducer;
    const options = {
      store,
      producer,
      topics: topicNames(),
      logger: pino({ level: 'silent' }),
      now: () => new Date().toISOString(),
      // No PII redaction: what keeps tokens out here is the credential scrubbing alone.
      redact: { kindsFor: async () => [] },
      secrets,
    };
    // The servers are on loopback, trusted here by the operator's allow-list; the clock of the token cache is the spec's.
    const loopback = new EgressGuard({ operatorAllow: ['127.0.0.1'] });
    calls = new ToolCalls({ ...options, executor: new HttpExecutor({ retries: 0 }, loopback), oauth: new OAuthTokens({ egress: loopback, secrets, now: () => now, onSecretRotated: recordSecretRotation(store, options.logger) }) });
    unguarded = new ToolCalls({ ...options, executor: new HttpExecutor({ retries: 0 }, loopback), oauth: new OAuthTokens({ egress: new EgressGuard(), secrets }) });
  });
  afterAll(async () => {
    await api?.close();
    await authorization?.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_secrets" CASCADE`);
    await db.dispose();
  });
  beforeEach(() => {
    api.requests.splice(0);
    for (const grant of Object.keys(authorization.tokenRequests)) delete authorization.tokenRequests[grant];
  });

  it('fetches a token by the client-credentials grant on the first call and reuses it on the next', async () => {
    const first = await callOperation('pets', 'listPets');
    const second = await callOperation('pets', 'listPets');
    for (const answer of [first, second]) expect(answer).toMatchObject({ type: 'ToolCallCompleted', data: { output: expect.stringContaining('"client":"machine"') } });
    expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
    expect(api.requests).toHaveLength(2);
    expect(tokensSeen().size).toBe(1);
    // The API echoed the token; the stored answer does not hold it.
    expect(first.data.output).toContain('[REDACTED:secret]');
  });

  it('fetches a new token once the one it has is about to expire', async () => {
    await callOperation('pets', 'listPets');
    now += 571_000; // the token lives 600 s; it is not used in its last 30
    await callOperation('pets', 'listPets');
    await callOperation('pets', 'listPets');
    expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
    expect(tokensSeen().size).toBe(2);
    expect(api.requests[1]!.token).toBe(api.requests[2]!.token);
  });

  it('shares one token fetch among calls made at once', async () => {
    now += 600_000;
    const answers = await Promise.all([1, 2, 3].map(() => callOperation('pets', 'listPets')));
    for (const answer of answers) expect(answer).toMatchObject({ type: 'ToolCallCompleted' });
    expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
    expect(tokensSeen().size).toBe(1);
  });

  it('sends the client secret in the form when the secret says clientAuth client_secret_post', async () => {
    expect(await callOperation('former', 'listPets')).toMatchObject({ type: 'ToolCallCompleted', data: { output: expect.stringContaining('"client":"former"') } });
    expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
  });

  it('fetches exactly one new token when the API answers 401, and makes the call once more with it', async () => {
    await callOperation('pets', 'listPets');
    const current = api.requests.splice(0)[0]!.token!;
    api.revoked.add(current);
    const answer = await callOperation('pets', 'listPets');
    expect(answer).toMatchObject({ type: 'ToolCallCompleted' });
    expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
    expect(api.requests.map((request) => request.token === current)).toEqual([true, false]);
  });

  it('gives up after one new token when the API answers 401 to it too, with no token in the reason', async () => {
    await callOperation('pets', 'listPets');
    api.requests.splice(0);
    const answer = await callOperation('pets', 'locked');
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringContaining('GET /locked answered 401') } });
    expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
    expect(api.requests).toHaveLength(2);
    // The API quoted the token it refused; both tokens presented are scrubbed.
    for (const token of tokensSeen()) expect(JSON.stringify(answer)).not.toContain(token);
    expect(answer.data.reason).toContain('[REDACTED:secret]');
  });

  it('answers with the 401 and why no new token could be had when the token endpoint is down', async () => {
    await callOperation('pets', 'listPets');
    const current = api.requests.splice(0)[0]!.token!;
    api.revoked.add(current);
    authorization.unavailable = true;
    try {
      const answer = await callOperation('pets', 'listPets');
      expect(answer).toMatchObject({
        type: 'ToolCallFailed',
        data: { reason: expect.stringMatching(/GET \/pets answered 401: .*; a new access token could not be fetched: .*answered 503 temporarily_unavailable \(down for maintenance\)/) },
      });
      expect(answer.data.reason).not.toContain(current);
      expect(api.requests).toHaveLength(1);
      expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
    } finally {
      authorization.unavailable = false;
    }
  });

  it('says why when the client secret is wrong, without quoting it, and calls nothing', async () => {
    const answer = await callOperation('wrong', 'listPets');
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/not sent: no access token for the machine scheme of wrong: .*invalid_client.*check clientId and clientSecret in secret strays-wrong/) } });
    expect(answer.data.reason).not.toContain('not-the-Secret-42');
    expect(api.requests).toEqual([]);
  });

  it('says what the secret must hold when it is not JSON or not an OAuth client, without quoting it', async () => {
    const garbled = await callOperation('garbled', 'listPets');
    expect(garbled).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/secret strays-garbled is not JSON; .*"clientId".*"clientSecret".*PUT \/v1\/secrets\/strays-garbled/) } });
    const typo = await callOperation('typo', 'listPets');
    expect(typo).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/secret strays-typo is not an OAuth client \(clientId: .*unknown field\(s\) client_id/) } });
    expect(JSON.stringify([garbled, typo])).not.toMatch(/half-a-Secret-7|typo-Secret-9/);
    expect(authorization.tokenRequests).toEqual({});
    expect(api.requests).toEqual([]);
  });

  it('exchanges the refresh token, and stores the one the server rotated it to, which the next exchange uses', async () => {
    const first = await callOperation('pets', 'myPets');
    expect(first).toMatchObject({ type: 'ToolCallCompleted', data: { output: expect.stringContaining('"sub":"ada"') } });
    const rotated = await storedRefreshToken();
    expect(rotated).not.toBe(firstRefreshToken);
    now += 600_000;
    const second = await callOperation('pets', 'myPets');
    // Had the first refresh token been used again, the server would have refused it (and revoked the grant).
    expect(second).toMatchObject({ type: 'ToolCallCompleted' });
    expect(authorization.tokenRequests).toEqual({ refresh_token: 2 });
    expect(await storedRefreshToken()).not.toBe(rotated);
    expect(JSON.parse((await secrets.get(tenantId, 'pets-person'))!)).toMatchObject(personClient);
    // Each write is on the admin stream, as an admin's would be: the name and version, by this service.
    const versions = (await secrets.list(tenantId)).find((secret) => secret.name === 'pets-person')!.version;
    const recorded = (await store.readStream(adminStream(tenantId))).filter((event) => event.type === 'SecretSet');
    expect(recorded.map((event) => [event.actor, event.data])).toEqual([
      [{ kind: 'service', id: 'tool-adapters' }, { name: 'pets-person', version: versions - 1 }],
      [{ kind: 'service', id: 'tool-adapters' }, { name: 'pets-person', version: versions }],
    ]);
  });

  it('says the refresh token is no longer valid when an admin sets one the server has rotated out, without quoting it', async () => {
    await secrets.put(tenantId, 'pets-person', JSON.stringify({ ...personClient, refreshToken: firstRefreshToken }));
    // The access token kept from the last exchange belongs to the refresh token set before: it is not used.
    const answer = await callOperation('pets', 'myPets');
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/refresh-token grant failed: .*invalid_grant.*the refresh token in secret pets-person is no longer valid/) } });
    expect(answer.data.reason).not.toContain(firstRefreshToken);
    expect(authorization.tokenRequests).toEqual({ refresh_token: 1 });
    expect(api.requests).toEqual([]);
  });

  it('finds the token endpoint of an OpenID Connect scheme by discovery, once', async () => {
    const before = authorization.discoveryRequests;
    now += 600_000;
    for (let i = 0; i < 2; i++) expect(await callOperation('pets', 'viaDiscovery')).toMatchObject({ type: 'ToolCallCompleted', data: { output: expect.stringContaining('"client":"machine"') } });
    expect(authorization.discoveryRequests - before).toBe(1);
    expect(authorization.tokenRequests).toEqual({ client_credentials: 1 });
  });

  it('asks the token endpoint only through the egress guard, which refuses what the allow-list does not name', async () => {
    const before = authorization.discoveryRequests;
    const answer = await callOperation('pets', 'viaDiscovery', unguarded);
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/not sent: no access token for the oidc scheme of pets: .*127\.0\.0\.1/) } });
    expect(authorization.discoveryRequests).toBe(before);
    expect(authorization.tokenRequests).toEqual({});
    expect(api.requests).toEqual([]);
  });

  it('never stores a token, a client secret or a refresh token in any event', async () => {
    const { rows } = await db.pool.query<{ content: unknown }>(`SELECT content FROM "${db.schema}".events`);
    const everything = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(10);
    for (const value of [machineClient.clientSecret, formClient.clientSecret, personClient.clientSecret, firstRefreshToken, await storedRefreshToken()]) expect(everything).not.toContain(value);
    expect(everything).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/); // no JWT at all
  });
});
