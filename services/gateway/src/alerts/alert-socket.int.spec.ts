import { randomBytes, randomUUID } from 'node:crypto';
import { alertStream, topicNames, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { upgradeStatus } from '../e2e/hostile-input.behaviour.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';
import { Alerts } from './alerts.js';

const adminKey = randomBytes(32).toString('base64url');
const platformKey = randomBytes(32).toString('base64url');

interface Follower {
  readonly messages: { alert?: { tenantId: string; type: string; data: { key: string } }; following?: unknown }[];
  close(): void;
}

/** A live alerts socket at `url`, resolved once the server says it follows (its first message). */
function follow(url: string, headers: Record<string, string> = {}): Promise<Follower> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers } as unknown as string[]);
    const messages: Follower['messages'] = [];
    socket.addEventListener('message', (message) => {
      messages.push(JSON.parse(String(message.data)));
      if (messages.length === 1) resolve({ messages, close: () => socket.close() });
    });
    socket.addEventListener('error', () => reject(new Error('the alerts WebSocket failed')));
  });
}

/** The live alerts WebSocket on real PostgreSQL: each caller gets its own tenant's alerts, the platform admin the platform's, as they are appended. */
describe('the live alerts socket', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let gateway: GatewayUnderTest;
  const keys = { operator: '', viewer: '', globexAdmin: '' };

  beforeAll(async () => {
    db = await createTestSchema('gateway_alert_socket');
    store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    const tenancy = await db.tenantDatabase();
    const unused = {} as never;
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, platformAdminApiKey: platformKey, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024 },
      {
        logger: pino({ level: 'silent' }),
        database: tenancy,
        adminLogStore: store,
        feedPollMs: 10,
        sessions: { store, producer: { send: async () => undefined } as unknown as MessageProducer, topics: topicNames(), queries: unused, modelCalls: unused, approvals: unused },
        secrets: null,
        alerts: new Alerts(tenancy.tenantPool, `${db.schema}_read`),
      },
    );
    const apiKeys = new ApiKeyStore(tenancy, db.schema);
    keys.operator = (await apiKeys.create({ tenantId: 'acme', name: 'operator', roles: ['operator'], createdBy: 'spec' })).apiKey;
    keys.viewer = (await apiKeys.create({ tenantId: 'acme', name: 'viewer', roles: ['viewer'], createdBy: 'spec' })).apiKey;
    keys.globexAdmin = (await apiKeys.create({ tenantId: 'globex', name: 'globex admin', roles: ['admin'], createdBy: 'spec' })).apiKey;
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
    await db?.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE`);
    await db?.dispose();
  });

  const raise = async (tenantId: string, key: string) => {
    const alertId = randomUUID();
    const scope = tenantId === 'platform' ? { kind: 'platform' } : { kind: 'tenant', tenantId };
    const streamId = alertStream(`${tenantId}.dead-letters.${randomBytes(6).toString('hex')}`);
    const event = (type: string, data: unknown): NewEvent => ({ eventId: randomUUID(), type, schemaVersion: 1, tenantId, correlationId: streamId, causationId: null, actor: { kind: 'service', id: 'observability' }, occurredAt: new Date().toISOString(), traceparent: null, data });
    await store.append(streamId, [event('AlertRaised', { alertId, key, rule: 'dead-letters', scope, severity: 'warning', summary: `growing ${key}`, subject: { consumer: key }, raisedAt: new Date().toISOString() })]);
    return { resolve: () => store.append(streamId, [event('AlertResolved', { alertId, key, rule: 'dead-letters', scope, summary: `Resolved: growing ${key}`, resolvedAt: new Date().toISOString() })], { expectedVersion: 0 }) };
  };
  const alertsIn = (follower: Follower) => follower.messages.flatMap((message) => (message.alert ? [`${message.alert.type} ${message.alert.tenantId} ${message.alert.data.key}`] : []));

  it("pushes each caller's own alerts as they are raised and resolved: a tenant never another's nor the platform's, the platform admin only the platform's", async () => {
    const ticket = ((await gateway.call('POST', '/v1/ws-tickets', { key: keys.operator })).json as { ticket: string }).ticket;
    const [acme, globex, platform] = await Promise.all([
      follow(`${gateway.url}/v1/alerts/live?ticket=${encodeURIComponent(ticket)}`),
      follow(`${gateway.url}/v1/alerts/live`, { authorization: `Bearer ${keys.globexAdmin}` }),
      follow(`${gateway.url}/v1/alerts/live`, { authorization: `Bearer ${platformKey}` }),
    ]);
    try {
      expect([acme.messages[0], globex.messages[0], platform.messages[0]]).toEqual([{ following: { scope: 'tenant', tenantId: 'acme' } }, { following: { scope: 'tenant', tenantId: 'globex' } }, { following: { scope: 'platform' } }]);
      const acmeAlert = await raise('acme', 'a-1');
      await raise('globex', 'g-1');
      const platformAlert = await raise('platform', 'p-1');
      await acmeAlert.resolve();
      await platformAlert.resolve();
      // Each tenant's last event, after every other: once it arrives, anything of another tenant would have arrived before it.
      await raise('acme', 'a-last');
      await raise('globex', 'g-last');
      await raise('platform', 'p-last');
      await waitFor('every socket to get its last alert', () => [acme, globex, platform].every((f, i) => alertsIn(f).some((line) => line.endsWith(['a-last', 'g-last', 'p-last'][i]!))) || undefined, { timeoutMs: 15_000, intervalMs: 10 });
      expect(alertsIn(acme)).toEqual(['AlertRaised acme a-1', 'AlertResolved acme a-1', 'AlertRaised acme a-last']);
      expect(alertsIn(globex)).toEqual(['AlertRaised globex g-1', 'AlertRaised globex g-last']);
      expect(alertsIn(platform)).toEqual(['AlertRaised platform p-1', 'AlertResolved platform p-1', 'AlertRaised platform p-last']);
    } finally {
      for (const follower of [acme, globex, platform]) follower.close();
    }
  });

  it('refuses before the upgrade a caller whose roles do not read alerts, no credential, and a used ticket, as problem+json', async () => {
    const live = `${gateway.url}/v1/alerts/live`;
    const viewer = await upgradeStatus(live, { authorization: `Bearer ${keys.viewer}` });
    expect(viewer.status).toBe(403);
    expect(JSON.parse(viewer.body)).toMatchObject({ detail: expect.stringMatching(/do not allow "read" on Alert/) });
    expect((await upgradeStatus(live)).status).toBe(401);
    expect((await upgradeStatus(live, { authorization: `Bearer ${randomBytes(32).toString('base64url')}` })).status).toBe(401);
    const ticket = ((await gateway.call('POST', '/v1/ws-tickets', { key: keys.operator })).json as { ticket: string }).ticket;
    expect((await upgradeStatus(`${live}?ticket=${encodeURIComponent(ticket)}`)).status).toBe(101);
    expect((await upgradeStatus(`${live}?ticket=${encodeURIComponent(ticket)}`)).status).toBe(401);
  });
});
