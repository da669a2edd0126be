import { randomBytes, randomUUID } from 'node:crypto';
import { adminStream, alertStream, alertWebhookSecretName, egressStream, topicNames, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { AlertsProjection } from '@agent-orchestrator/read-models';
import { PostgresSecretStore, type SecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';
import { Alerts } from './alerts.js';

const adminKey = randomBytes(32).toString('base64url');
const platformKey = randomBytes(32).toString('base64url');
const event = (type: string, tenantId: string, data: unknown): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  tenantId,
  correlationId: 'spec',
  causationId: null,
  actor: { kind: 'service', id: 'spec' },
  occurredAt: new Date().toISOString(),
  traceparent: null,
  data,
});

/** The alerts routes on real PostgreSQL: the webhook in the secret store, the list from the alerts read model under row-level security. */
describe('the alerts API', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let secrets: SecretStore;
  let gateway: GatewayUnderTest;
  const keys = { operator: '', viewer: '', globexAdmin: '' };
  const readSchema = () => `${db.schema}_read`;

  beforeAll(async () => {
    db = await createTestSchema('gateway_alerts');
    store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    secrets = await PostgresSecretStore.open({ database: await db.tenantDatabase(), schema: `${db.schema}_secrets`, key: randomBytes(32) });
    const tenancy = await db.tenantDatabase();
    const unused = {} as never;
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, platformAdminApiKey: platformKey, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024 },
      {
        logger: pino({ level: 'silent' }),
        database: tenancy,
        adminLogStore: store,
        sessions: { store, producer: { send: async () => undefined } as unknown as MessageProducer, topics: topicNames(), queries: unused, modelCalls: unused, approvals: unused },
        secrets,
        alerts: new Alerts(tenancy.tenantPool, readSchema()),
      },
    );
    const apiKeys = new ApiKeyStore(tenancy, db.schema);
    keys.operator = (await apiKeys.create({ tenantId: 'acme', name: 'operator', roles: ['operator'], createdBy: 'spec' })).apiKey;
    keys.viewer = (await apiKeys.create({ tenantId: 'acme', name: 'viewer', roles: ['viewer'], createdBy: 'spec' })).apiKey;
    keys.globexAdmin = (await apiKeys.create({ tenantId: 'globex', name: 'globex admin', roles: ['admin'], createdBy: 'spec' })).apiKey;
  });
  afterAll(async () => {
    await gateway?.close();
    await secrets?.close();
    await store?.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_secrets" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE; DROP SCHEMA IF EXISTS "${readSchema()}" CASCADE`);
    await db?.dispose();
  });

  it.each([
    ['loopback', 'http://127.0.0.1:9/hooks', /127\.0\.0\.1 is a loopback address/],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
    ['a private network', 'https://10.1.2.3/hooks', /10\.1\.2\.3 is a private/],
  ])('refuses a webhook pointing inside (%s) while the allow-list does not name it, and stores nothing', async (_what, url, reason) => {
    const answer = await gateway.call('PUT', '/v1/alert-webhooks', { key: adminKey, body: { url } });
    expect(answer).toMatchObject({ status: 422, json: { detail: expect.stringMatching(reason) } });
    expect(await secrets.get('acme', alertWebhookSecretName)).toBeUndefined();
  });

  it('sets a webhook the allow-list names, draws a secret shown once, and reads it back without the secret', async () => {
    await store.append(egressStream('acme'), [event('EgressAllowListSet', 'acme', { version: 1, allow: ['127.0.0.1:8787'] })]);
    const set = await gateway.call('PUT', '/v1/alert-webhooks', { key: adminKey, body: { url: 'http://127.0.0.1:8787/hooks' } });
    expect(set).toMatchObject({ status: 200, json: { url: 'http://127.0.0.1:8787/hooks', updatedAt: expect.any(String), secret: expect.stringMatching(/^whsec_/) } });
    const stored = JSON.parse((await secrets.get('acme', alertWebhookSecretName))!);
    expect(stored).toEqual({ url: 'http://127.0.0.1:8787/hooks', secret: (set.json as { secret: string }).secret });

    const read = await gateway.call('GET', '/v1/alert-webhooks', { key: adminKey });
    expect(read).toMatchObject({ status: 200, json: { url: 'http://127.0.0.1:8787/hooks' } });
    expect(read.text).not.toContain(stored.secret);
    // Still refused: another port of loopback, and the metadata service whatever the list says.
    expect((await gateway.call('PUT', '/v1/alert-webhooks', { key: adminKey, body: { url: 'http://127.0.0.1:9999/hooks' } })).status).toBe(422);
    // The reserved name is out of the secrets routes' reach, and out of their listing.
    expect((await gateway.call('PUT', `/v1/secrets/${alertWebhookSecretName}`, { key: adminKey, body: { value: 'x' } })).status).toBe(422);
    expect(((await gateway.call('GET', '/v1/secrets', { key: adminKey })).json as { items: { name: string }[] }).items.map((s) => s.name)).not.toContain(alertWebhookSecretName);
  });

  it('keeps a caller-given secret unreturned; refuses bad bodies, other roles and other tenants', async () => {
    const own = await gateway.call('PUT', '/v1/alert-webhooks', { key: adminKey, body: { url: 'https://hooks.example.com/ao', secret: 'my-own-signing-secret-0123' } });
    expect(own.status).toBe(200);
    expect(own.json).not.toHaveProperty('secret');
    for (const body of [{ url: 'ftp://hooks.example.com/ao' }, { url: 'https://hooks.example.com/ao', extra: 1 }, { url: 'https://hooks.example.com/ao', secret: 'short' }, {}]) {
      expect((await gateway.call('PUT', '/v1/alert-webhooks', { key: adminKey, body })).status).toBe(422);
    }
    expect(JSON.parse((await secrets.get('acme', alertWebhookSecretName))!).secret).toBe('my-own-signing-secret-0123');
    for (const key of [keys.operator, keys.viewer]) {
      expect((await gateway.call('PUT', '/v1/alert-webhooks', { key, body: { url: 'https://hooks.example.com/x' } })).status).toBe(403);
      expect((await gateway.call('GET', '/v1/alert-webhooks', { key })).status).toBe(403);
    }
    expect((await gateway.call('GET', '/v1/alert-webhooks', { key: keys.globexAdmin })).status).toBe(404);
    expect((await gateway.call('DELETE', '/v1/alert-webhooks', { key: keys.globexAdmin })).status).toBe(404);
    expect((await gateway.call('DELETE', '/v1/alert-webhooks', { key: adminKey })).status).toBe(204);
    expect((await gateway.call('GET', '/v1/alert-webhooks', { key: adminKey })).status).toBe(404);
    expect(await secrets.get('acme', alertWebhookSecretName)).toBeUndefined();
  });

  it("lists a tenant's alerts, open or resolved, and never another tenant's", async () => {
    expect(await gateway.call('GET', '/v1/alerts', { key: keys.operator })).toMatchObject({ status: 200, json: { items: [] } });
    const dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: readSchema(), entities: [] }).initialize();
    try {
      await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${readSchema()}"`);
      const projection = new AlertsProjection(readSchema(), (await db.tenantDatabase()).appRole.name);
      await dataSource.transaction((manager) => projection.setUp(manager));
      const raise = async (tenantId: string, key: string) => {
        const alertId = randomUUID();
        const streamId = alertStream(`${tenantId}.approval-overdue.${randomBytes(4).toString('hex')}`);
        const raised = event('AlertRaised', tenantId, { alertId, key, rule: 'approval-overdue', scope: { kind: 'tenant', tenantId }, severity: 'warning', summary: `overdue ${key}`, subject: { approvalId: key }, raisedAt: new Date().toISOString() });
        await store.append(streamId, [raised]);
        const [envelope] = await store.readStream(streamId);
        await dataSource.transaction((manager) => projection.apply(envelope!, manager));
        return { alertId, streamId };
      };
      const first = await raise('acme', 'a-1');
      await raise('acme', 'a-2');
      await raise('globex', 'g-1');
      const platformRaised = event('AlertRaised', 'platform', { alertId: randomUUID(), key: 'projection-stalled:sessions', rule: 'projection-stalled', scope: { kind: 'platform' }, severity: 'critical', summary: 'Projection sessions is stalled', subject: { projection: 'sessions', lag: 9 }, raisedAt: new Date().toISOString() });
      const platformStream = alertStream(`platform.projection-stalled.${randomBytes(4).toString('hex')}`);
      await store.append(platformStream, [platformRaised]);
      await dataSource.transaction(async (manager) => projection.apply((await store.readStream(platformStream))[0]!, manager));
      const resolved = event('AlertResolved', 'acme', { alertId: first.alertId, key: 'a-1', rule: 'approval-overdue', scope: { kind: 'tenant', tenantId: 'acme' }, summary: 'Resolved: overdue a-1', resolvedAt: new Date().toISOString() });
      await store.append(first.streamId, [resolved]);
      const [, resolvedEnvelope] = await store.readStream(first.streamId);
      await dataSource.transaction((manager) => projection.apply(resolvedEnvelope!, manager));

      const all = await gateway.call('GET', '/v1/alerts', { key: keys.operator });
      expect(all.status).toBe(200);
      const items = (all.json as { items: { key: string; status: string; tenantId: string }[] }).items;
      expect(items.map((a) => [a.key, a.status]).sort()).toEqual([['a-1', 'resolved'], ['a-2', 'open']]);
      expect(((await gateway.call('GET', '/v1/alerts?status=open', { key: adminKey })).json as { items: { key: string }[] }).items.map((a) => a.key)).toEqual(['a-2']);
      expect(((await gateway.call('GET', '/v1/alerts', { key: keys.globexAdmin })).json as { items: { key: string }[] }).items.map((a) => a.key)).toEqual(['g-1']);
      expect((await gateway.call('GET', '/v1/alerts', { key: keys.viewer })).status).toBe(403);

      // The platform's alerts: the platform admin's alone, and only them.
      const platformList = await gateway.call('GET', '/v1/platform/alerts', { key: platformKey });
      expect(platformList).toMatchObject({ status: 200 });
      expect((platformList.json as { items: { key: string; tenantId: string }[] }).items.map((a) => [a.key, a.tenantId])).toEqual([['projection-stalled:sessions', 'platform']]);
      expect(((await gateway.call('GET', '/v1/platform/alerts?status=resolved', { key: platformKey })).json as { items: unknown[] }).items).toEqual([]);
      for (const key of [adminKey, keys.operator, keys.globexAdmin]) expect((await gateway.call('GET', '/v1/platform/alerts', { key })).status).toBe(403);
      expect((await gateway.call('GET', '/v1/alerts', { key: platformKey })).status).toBe(403);
      expect(items.map((a) => a.tenantId)).not.toContain('platform');
      expect((await gateway.call('GET', '/v1/alerts?status=closed', { key: keys.operator })).status).toBe(400);
      expect((await gateway.call('GET', '/v1/alerts?limit=0', { key: keys.operator })).status).toBe(400);
    } finally {
      await dataSource.destroy();
    }
  });

  it("sets the platform's webhook for the platform admin alone, refused inside unless EGRESS_ALLOW names it, never readable by a tenant", async () => {
    for (const key of [adminKey, keys.operator, keys.globexAdmin]) {
      expect((await gateway.call('PUT', '/v1/platform/alert-webhooks', { key, body: { url: 'https://hooks.example.com/platform' } })).status).toBe(403);
      expect((await gateway.call('GET', '/v1/platform/alert-webhooks', { key })).status).toBe(403);
    }
    expect((await gateway.call('GET', '/v1/platform/alert-webhooks', { key: platformKey })).status).toBe(404);
    // A tenant's allow-list opens nothing to the platform's webhook.
    await store.append(egressStream('acme'), [event('EgressAllowListSet', 'acme', { version: 2, allow: ['127.0.0.1:8788'] })]);
    expect(await gateway.call('PUT', '/v1/platform/alert-webhooks', { key: platformKey, body: { url: 'http://127.0.0.1:8788/hooks' } })).toMatchObject({ status: 422, json: { detail: expect.stringMatching(/127\.0\.0\.1 is a loopback address/) } });
    expect((await gateway.call('PUT', '/v1/platform/alert-webhooks', { key: platformKey, body: { url: 'https://hooks.example.com/p', extra: true } })).status).toBe(422);
    expect(await secrets.get('platform', alertWebhookSecretName)).toBeUndefined();

    const set = await gateway.call('PUT', '/v1/platform/alert-webhooks', { key: platformKey, body: { url: 'https://hooks.example.com/platform' } });
    expect(set).toMatchObject({ status: 200, json: { url: 'https://hooks.example.com/platform', secret: expect.stringMatching(/^whsec_/) } });
    expect(JSON.parse((await secrets.get('platform', alertWebhookSecretName))!)).toEqual({ url: 'https://hooks.example.com/platform', secret: (set.json as { secret: string }).secret });
    const read = await gateway.call('GET', '/v1/platform/alert-webhooks', { key: platformKey });
    expect(read).toMatchObject({ status: 200, json: { url: 'https://hooks.example.com/platform' } });
    expect(read.text).not.toContain((set.json as { secret: string }).secret);
    // The change is in the platform's admin stream, naming the platform admin, never the value.
    const recorded = await store.readStream(adminStream('platform'));
    expect(recorded.at(-1)).toMatchObject({ type: 'SecretSet', tenantId: 'platform', actor: { kind: 'user', id: expect.stringMatching(/^platform-admin:/) }, data: { name: alertWebhookSecretName } });
    expect(JSON.stringify(recorded)).not.toContain((set.json as { secret: string }).secret);
    // And no tenant's webhook changed or shows it.
    expect(((await gateway.call('GET', '/v1/alert-webhooks', { key: keys.globexAdmin })).status)).toBe(404);
  });
});
