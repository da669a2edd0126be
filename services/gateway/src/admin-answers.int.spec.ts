import { randomBytes } from 'node:crypto';
import { topicNames } from '@agent-orchestrator/contracts';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { PostgresSecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { startGateway, startGatewayOnLog, type Answer, type Call, type GatewayUnderTest } from './gateway-under-test.js';

const platformKey = randomBytes(32).toString('base64url');
const acmeKey = randomBytes(32).toString('base64url');
const unused = {} as never;

/**
 * Every answer `gateway.call` gets is checked against the served OpenAPI document on the way in
 * (e2e/answer-check.ts: a status the operation documents, a body its schema accepts). This asserts
 * the status each case expects, and counts the cases so the last one can show that all of them ran.
 */
function answerCheck() {
  let checked = 0;
  return {
    expectAnswer(operationId: string, answer: Answer, status: number): Answer {
      expect({ operationId, status: answer.status, body: answer.json ?? answer.text }).toMatchObject({ status });
      checked += 1;
      return answer;
    },
    checked: () => checked,
  };
}

describe('every answer of the admin routes matches the document', () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  /** A second gateway with a secret store (the first has none, so its secret routes answer 503). */
  let withSecrets: GatewayUnderTest;
  let secretStore: PostgresSecretStore;
  let check: ReturnType<typeof answerCheck>;

  const as = (key: string) => (method: string, path: string, call: Call = {}) => gateway.call(method, path, { key, ...call });
  const platform = as(platformKey);
  const acme = as(acmeKey);

  /**
   * The policy service and tool-adapters own these streams: they turn the command the gateway
   * sends into the next version's event. Here the commands are collected instead of sent, so this
   * appends that event as the owner would, and the PUT answers once it is in the log.
   */
  async function landed(put: Promise<Answer>): Promise<Answer> {
    const before = gateway.sent.length;
    const [message] = await waitFor('the command the PUT sends', () => gateway.sent.length > before && (gateway.sent[before] as { value: string }[]));
    const { commandId, command } = JSON.parse(message!.value) as { commandId: string; command: { type: string; metadata: { tenantId: string } } & Record<string, unknown> };
    const owned = {
      UpdatePolicy: { stream: 'policy', type: 'PolicyUpdated', data: { policy: command.policy } },
      UpdatePrivacy: { stream: 'privacy', type: 'PrivacyUpdated', data: { settings: command.settings } },
      SetEgressAllowList: { stream: 'egress', type: 'EgressAllowListSet', data: { allow: command.allow } },
    }[command.type]!;
    const stream = `${owned.stream}-${command.metadata.tenantId}`;
    const version = (await gateway.store.readStream(stream)).length + 1;
    await gateway.store.append(stream, [
      {
        eventId: commandId,
        type: owned.type,
        schemaVersion: 1,
        tenantId: command.metadata.tenantId,
        correlationId: commandId,
        causationId: commandId,
        actor: { kind: 'service', id: owned.stream === 'egress' ? 'tool-adapters' : 'policy' },
        occurredAt: new Date().toISOString(),
        traceparent: null,
        data: { version, ...owned.data },
      },
    ]);
    return put;
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_admin_answers');
    gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: acmeKey, bootstrapTenant: 'acme', platformAdminApiKey: platformKey });
    secretStore = await PostgresSecretStore.open({ database: await db.tenantDatabase(), schema: `${db.schema}_secrets`, key: randomBytes(32) });
    withSecrets = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: acmeKey, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024 },
      // Only the secret routes are called on it; the session backend is there because the routes come with it.
      { logger: pino({ level: 'silent' }), database: await db.tenantDatabase(), adminLogStore: gateway.store, sessions: { store: gateway.store, producer: { send: async () => undefined } as unknown as MessageProducer, topics: topicNames(), queries: unused, modelCalls: unused, approvals: unused }, secrets: secretStore },
    );
    check = answerCheck();
  });
  afterAll(async () => {
    await withSecrets?.close();
    await secretStore?.close();
    await gateway?.close();
    await db?.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_secrets" CASCADE`);
    await db?.dispose();
  });

  it('tenants: created, listed, read, suspended, resumed and deleted, and each refusal', async () => {
    const created = check.expectAnswer('createTenant', await platform('POST', '/v1/tenants', { body: { tenantId: 'globex', name: 'Globex' } }), 201);
    const { adminApiKey } = created.json as { adminApiKey: string };
    check.expectAnswer('createTenant', await platform('POST', '/v1/tenants', { body: { tenantId: 'globex', name: 'Globex again' } }), 409);
    check.expectAnswer('createTenant', await platform('POST', '/v1/tenants', { body: { tenantId: 'Not An Id', name: '' } }), 422);
    check.expectAnswer('createTenant', await platform('POST', '/v1/tenants', { rawBody: '{"tenantId":', headers: { 'content-type': 'application/json' } }), 400);
    check.expectAnswer('createTenant', await platform('POST', '/v1/tenants', { rawBody: 'tenantId=x', headers: { 'content-type': 'text/plain' } }), 415);
    check.expectAnswer('createTenant', await acme('POST', '/v1/tenants', { body: { tenantId: 'initech', name: 'Initech' } }), 403);
    check.expectAnswer('createTenant', await gateway.call('POST', '/v1/tenants', { body: { tenantId: 'initech', name: 'Initech' } }), 401);

    check.expectAnswer('listTenants', await platform('GET', '/v1/tenants'), 200);
    check.expectAnswer('getTenant', await platform('GET', '/v1/tenants/globex'), 200);
    check.expectAnswer('getTenant', await platform('GET', '/v1/tenants/no-such-tenant'), 404);

    const suspended = check.expectAnswer('suspendTenant', await platform('POST', '/v1/tenants/globex/suspend', { body: { reason: 'unpaid invoices' } }), 200);
    expect(suspended.json).toMatchObject({ status: 'suspended', suspendedReason: 'unpaid invoices' });
    check.expectAnswer('suspendTenant', await platform('POST', '/v1/tenants/globex/suspend'), 200);
    check.expectAnswer('suspendTenant', await platform('POST', '/v1/tenants/globex/suspend', { body: { reason: '' } }), 422);
    check.expectAnswer('suspendTenant', await platform('POST', '/v1/tenants/no-such-tenant/suspend'), 404);
    check.expectAnswer('listApiKeys', await gateway.call('GET', '/v1/api-keys', { key: adminApiKey }), 403);
    check.expectAnswer('resumeTenant', await platform('POST', '/v1/tenants/globex/resume'), 200);
    check.expectAnswer('resumeTenant', await platform('POST', '/v1/tenants/no-such-tenant/resume'), 404);

    check.expectAnswer('createTenant', await platform('POST', '/v1/tenants', { body: { tenantId: 'initech', name: 'Initech' } }), 201);
    const deleted = check.expectAnswer('deleteTenant', await platform('DELETE', '/v1/tenants/initech'), 200);
    expect(deleted.json).toMatchObject({ status: 'deleted', retainUntil: expect.any(String) });
    check.expectAnswer('resumeTenant', await platform('POST', '/v1/tenants/initech/resume'), 409);
    check.expectAnswer('deleteTenant', await platform('DELETE', '/v1/tenants/no-such-tenant'), 404);
  });

  it('API keys: created, listed, rotated and revoked, and each refusal', async () => {
    const created = check.expectAnswer('createApiKey', await acme('POST', '/v1/api-keys', { body: { name: 'ci', roles: ['viewer'], expiresAt: new Date(Date.now() + 86_400_000).toISOString() } }), 201);
    const { keyId, apiKey: viewerKey } = created.json as { keyId: string; apiKey: string };
    check.expectAnswer('createApiKey', await acme('POST', '/v1/api-keys', { body: { name: 'ci', roles: ['no-such-role'] } }), 422);
    check.expectAnswer('listApiKeys', await acme('GET', '/v1/api-keys'), 200);
    check.expectAnswer('listApiKeys', await gateway.call('GET', '/v1/api-keys', { key: viewerKey }), 403);

    check.expectAnswer('rotateApiKey', await acme('POST', `/v1/api-keys/${keyId}/rotate`), 200);
    check.expectAnswer('rotateApiKey', await acme('POST', `/v1/api-keys/${keyId}/rotate`, { body: { overlapSeconds: 0 } }), 200);
    check.expectAnswer('rotateApiKey', await acme('POST', `/v1/api-keys/${keyId}/rotate`, { body: { overlapSeconds: -1 } }), 422);
    check.expectAnswer('rotateApiKey', await acme('POST', '/v1/api-keys/00000000-0000-4000-8000-000000000000/rotate'), 404);

    check.expectAnswer('revokeApiKey', await acme('DELETE', `/v1/api-keys/${keyId}`), 204);
    check.expectAnswer('revokeApiKey', await acme('DELETE', '/v1/api-keys/not-a-key-id'), 404);
    const hooli = (await platform('POST', '/v1/tenants', { body: { tenantId: 'hooli', name: 'Hooli' } })).json as { adminKeyId: string; adminApiKey: string };
    check.expectAnswer('revokeApiKey', await gateway.call('DELETE', `/v1/api-keys/${hooli.adminKeyId}`, { key: hooli.adminApiKey }), 409);
  });

  it('role mapping and the admin events that record all of it', async () => {
    check.expectAnswer('getRoleMapping', await acme('GET', '/v1/role-mapping'), 200);
    check.expectAnswer('setRoleMapping', await acme('PUT', '/v1/role-mapping', { body: { mapping: { 'acme-ops': ['operator', 'viewer'] } } }), 200);
    check.expectAnswer('getRoleMapping', await acme('GET', '/v1/role-mapping'), 200);
    check.expectAnswer('setRoleMapping', await acme('PUT', '/v1/role-mapping', { body: { mapping: { 'acme-ops': ['operator'], 'acme-audit': ['auditor'] } } }), 200);
    check.expectAnswer('setRoleMapping', await acme('PUT', '/v1/role-mapping', { body: { mapping: { 'acme-ops': ['platform-admin'] } } }), 422);

    // The two mappings just set are on the admin stream at least: a page of one has a next page.
    const page = check.expectAnswer('listAdminEvents', await acme('GET', '/v1/admin-events?limit=1'), 200);
    expect(page.json).toMatchObject({ items: [expect.objectContaining({ streamId: 'admin-acme' })], nextFromVersion: 1 });
    check.expectAnswer('listAdminEvents', await acme('GET', '/v1/admin-events?fromVersion=1000'), 200);
    check.expectAnswer('listAdminEvents', await acme('GET', '/v1/admin-events?limit=0'), 400);
  });

  it('secrets: set, listed and deleted, each refusal, and 503 where no store is configured', async () => {
    const secrets = (method: string, path: string, call: Call = {}) => withSecrets.call(method, path, { key: acmeKey, ...call });
    const set = check.expectAnswer('putSecret', await secrets('PUT', '/v1/secrets/crm-token', { body: { value: 'sk_live_123456' } }), 200);
    expect(set.text).not.toContain('sk_live_123456');
    check.expectAnswer('putSecret', await secrets('PUT', '/v1/secrets/crm-token', { body: { value: '' } }), 422);
    check.expectAnswer('putSecret', await secrets('PUT', '/v1/secrets/bad%20name', { body: { value: 'x' } }), 400);
    check.expectAnswer('listSecrets', await secrets('GET', '/v1/secrets'), 200);
    check.expectAnswer('deleteSecret', await secrets('DELETE', '/v1/secrets/crm-token'), 204);
    check.expectAnswer('deleteSecret', await secrets('DELETE', '/v1/secrets/crm-token'), 404);

    check.expectAnswer('putSecret', await acme('PUT', '/v1/secrets/crm-token', { body: { value: 'x' } }), 503);
    check.expectAnswer('listSecrets', await acme('GET', '/v1/secrets'), 503);
    check.expectAnswer('deleteSecret', await acme('DELETE', '/v1/secrets/crm-token'), 503);
  });

  it('policies, privacy and egress: version 0, a new version once it is in effect, and a bad body', async () => {
    check.expectAnswer('getPolicies', await acme('GET', '/v1/policies'), 200);
    const policy = { allowedTools: ['crm'], rules: [{ id: 'refunds', effect: 'require_approval', match: { tools: ['crm'] }, approval: { approvers: 2 } }] };
    const policySet = check.expectAnswer('setPolicies', await landed(acme('PUT', '/v1/policies', { body: policy })), 200);
    expect(policySet.json).toMatchObject({ version: 1, allowedTools: ['crm'], defaultEffect: 'allow' });
    check.expectAnswer('getPolicies', await acme('GET', '/v1/policies'), 200);
    check.expectAnswer('setPolicies', await acme('PUT', '/v1/policies', { body: { rules: 'all' } }), 422);

    check.expectAnswer('getPrivacy', await acme('GET', '/v1/privacy'), 200);
    const privacySet = check.expectAnswer('setPrivacy', await landed(acme('PUT', '/v1/privacy', { body: { redact: ['email', 'iban'] } })), 200);
    expect(privacySet.json).toMatchObject({ version: 1, redact: ['email', 'iban'] });
    check.expectAnswer('getPrivacy', await acme('GET', '/v1/privacy'), 200);
    check.expectAnswer('setPrivacy', await acme('PUT', '/v1/privacy', { body: { redact: 'some' } }), 422);

    check.expectAnswer('getEgress', await acme('GET', '/v1/egress'), 200);
    const egressSet = check.expectAnswer('setEgress', await landed(acme('PUT', '/v1/egress', { body: { allow: ['crm.internal:8443', '10.0.0.0/8'] } })), 200);
    expect(egressSet.json).toMatchObject({ version: 1, allow: ['crm.internal:8443', '10.0.0.0/8'] });
    check.expectAnswer('getEgress', await acme('GET', '/v1/egress'), 200);
    check.expectAnswer('setEgress', await acme('PUT', '/v1/egress', { body: { allow: 'everything' } }), 422);
  });

  it('checked every answer above against the document', () => {
    // Jest runs the cases in order: this one makes sure each ran to its end (one check per call above).
    expect(check.checked()).toBe(61);
  });
});
