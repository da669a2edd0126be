import { randomBytes } from 'node:crypto';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { ProjectionRunner, type Projection } from '@agent-orchestrator/projections';
import { createTestSchema, planRequested, uniqueStream, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';
import { Projections } from './projections.js';

interface Listed {
  items: { projection: string; version: number; lag: number; state: string; quarantined: number; lastAdvanceAt: string | null; heartbeatAt: string }[];
}

/** A projection that counts nothing: its status row is what the route serves. */
const counting: Projection = { name: 'counting', version: 3, setUp: async () => undefined, reset: async () => undefined, apply: async () => undefined };

describe('GET /v1/projections', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  const platformKey = `platform-${randomBytes(16).toString('hex')}`;
  const keys = { admin: '', operator: '', approver: '', auditor: '', viewer: '' };
  const limits = { stallAfterMs: 1_000, heartbeatStaleAfterMs: 1_000 };

  beforeAll(async () => {
    db = await createTestSchema('gateway_projections');
    const tenancy = await db.tenantDatabase();
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 3 }).initialize();
    // As the orchestrator runs it: the application role may read the status rows.
    runner = new ProjectionRunner(counting, { store, dataSource, schema: db.schema, statusIntervalMs: 50, statusReader: tenancy.appRole.name });
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: undefined, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024, platformAdminApiKey: platformKey },
      { logger: pino({ level: 'silent' }), database: tenancy, projections: new Projections(tenancy.tenantPool, db.schema, limits) },
    );
    const apiKeys = new ApiKeyStore(tenancy, db.schema);
    for (const role of ['admin', 'operator', 'approver', 'auditor', 'viewer'] as const) keys[role] = (await apiKeys.create({ tenantId: 'acme', name: role, roles: [role], createdBy: 'spec' })).apiKey;
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await gateway?.close();
    await dataSource?.destroy();
    await store?.close();
    await db?.dispose();
  });

  const list = async (key: string) => {
    const answer = await gateway.call('GET', '/v1/projections', { key });
    expect(answer.status).toBe(200);
    return (answer.json as Listed).items;
  };

  it('lists nothing before any process hosted a projection, then each projection with its state', async () => {
    expect(await list(keys.operator)).toEqual([]);
    const appended = await store.append(uniqueStream(), [planRequested()]);
    await (await runner.start()).waitFor(appended.position);
    const [row] = await waitFor('caught up', async () => {
      const items = await list(keys.operator);
      return items[0]?.state === 'caught-up' && items[0].lastAdvanceAt !== null && items;
    });
    expect(row).toMatchObject({ projection: 'counting', version: 3, lag: 0, quarantined: 0 });
    // The platform admin and the tenant's admin read the same rows; they hold no tenant's data.
    for (const key of [keys.admin, platformKey]) expect(await list(key)).toEqual([expect.objectContaining({ projection: 'counting' })]);

    await runner.stop();
    await store.append(uniqueStream(), [planRequested()]);
    await waitFor('stalled once its process stopped', async () => (await list(keys.operator))[0]?.state === 'stalled');
  });

  it('refuses the roles that do not operate the platform', async () => {
    for (const key of [keys.approver, keys.auditor, keys.viewer]) {
      const answer = await gateway.call('GET', '/v1/projections', { key });
      expect({ status: answer.status, type: answer.headers.get('content-type') }).toEqual({ status: 403, type: expect.stringContaining('application/problem+json') });
    }
    expect((await gateway.call('GET', '/v1/projections')).status).toBe(401);
  });
});
