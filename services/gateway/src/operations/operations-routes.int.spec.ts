import { randomBytes, randomUUID } from 'node:crypto';
import { operationStream, replayCommandMessageSchema, topicNames, type EventEnvelope, type OperationEvent, type OperationItemRecord, type ReplayCommand } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { inTransaction } from '@agent-orchestrator/postgres';
import { OperationQueries, OperationsProjection } from '@agent-orchestrator/read-models';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import type { EntityManager } from 'typeorm';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';

const item = (tenantId: string, n: number, tool = 'crm'): OperationItemRecord => ({ itemId: `${tenantId}-${n}`, source: 'dead-letter', tenantId, consumer: 'tool-adapters.events', code: 'timeout', tool, repeatsSideEffect: n === 0, label: `dead letter ${n} of ${tenantId}` });
const deadLetters = [item('acme', 0), item('acme', 1), item('acme', 2, 'billing'), item('globex', 0)];

/**
 * The operations routes on PostgreSQL under row-level security. A stand-in for the replay service
 * turns each command into the events the service would append and projects them with the real
 * operations projection (the service itself is tested in services/replay on real Kafka).
 */
describe('the operations routes', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  let store: PostgresEventStore;
  const sent: ReplayCommand[] = [];
  const keys = { admin: '', operator: '', viewer: '', auditor: '', globexOperator: '' };
  const platformKey = randomBytes(32).toString('base64url');
  const readSchema = () => `${db.schema}_ops`;

  beforeAll(async () => {
    db = await createTestSchema('gateway_operations');
    const tenancy = await db.tenantDatabase();
    const projection = new OperationsProjection(readSchema(), tenancy.appRole.name);
    await db.pool.query(`CREATE SCHEMA "${readSchema()}"`);
    await inTransaction(db.pool, (client) => projection.setUp(client as unknown as EntityManager));
    store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
    const version = new Map<string, number>();
    const project = async (operationId: string, tenantId: string, events: OperationEvent['type'] extends never ? never : { type: OperationEvent['type']; data: unknown }[]) => {
      await inTransaction(db.pool, async (client) => {
        for (const event of events) {
          const streamVersion = (version.get(operationId) ?? -1) + 1;
          version.set(operationId, streamVersion);
          const envelope = { eventId: randomUUID(), schemaVersion: 1, tenantId, correlationId: operationId, causationId: null, actor: { kind: 'user', id: 'sre' }, occurredAt: new Date().toISOString(), traceparent: null, streamId: operationStream(operationId), streamVersion, globalPosition: '1', ...event } as EventEnvelope;
          await projection.apply(envelope, client as unknown as EntityManager);
        }
      });
    };
    const producer = {
      send: async (messages: { value: string }[]) => {
        for (const { command } of messages.map((message) => replayCommandMessageSchema.parse(JSON.parse(message.value)))) {
          sent.push(command);
          const tenantId = command.metadata.tenantId;
          const { operationId } = command;
          switch (command.type) {
            case 'PlanOperation': {
              const scope = command.scope;
              const items = deadLetters.filter((d) => (scope.kind === 'platform' || d.tenantId === scope.tenantId) && (command.filter.tool === undefined || d.tool === command.filter.tool));
              const counts = { byConsumer: {}, byCode: {}, byTool: {}, byTenant: {} };
              await project(operationId, tenantId, [
                { type: 'OperationPlanned', data: { operationId, kind: command.kind, filter: command.filter, scope, rate: command.rate ?? 100, total: items.length, repeatsSideEffect: items.filter((i) => i.repeatsSideEffect).length, counts, chunks: items.length > 0 ? 1 : 0 } },
                ...(items.length > 0 ? [{ type: 'OperationItemsMatched' as const, data: { operationId, chunk: 0, items } }] : []),
              ]);
              break;
            }
            case 'ConfirmOperation':
              await project(operationId, tenantId, [{ type: 'OperationStarted', data: { operationId, rate: 100 } }]);
              break;
            case 'PauseOperation':
              await project(operationId, tenantId, [{ type: 'OperationPaused', data: { operationId } }]);
              break;
            case 'ResumeOperation':
              await project(operationId, tenantId, [{ type: 'OperationResumed', data: { operationId } }]);
              break;
            case 'AbortOperation':
              await project(operationId, tenantId, [{ type: 'OperationAborted', data: { operationId, ...(command.reason === undefined ? {} : { reason: command.reason }) } }]);
              break;
          }
        }
      },
    } as unknown as MessageProducer;
    const unused = {} as never;
    gateway = await startGateway(
      { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: undefined, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024, platformAdminApiKey: platformKey },
      { logger: pino({ level: 'silent' }), database: tenancy, adminLogStore: store, sessions: { store, producer, topics: topicNames(), queries: unused, modelCalls: unused, approvals: unused }, operations: new OperationQueries(readSchema()) },
    );
    const apiKeys = new ApiKeyStore(tenancy, db.schema);
    for (const role of ['admin', 'operator', 'viewer', 'auditor'] as const) keys[role] = (await apiKeys.create({ tenantId: 'acme', name: role, roles: [role], createdBy: 'spec' })).apiKey;
    keys.globexOperator = (await apiKeys.create({ tenantId: 'globex', name: 'globex operator', roles: ['operator'], createdBy: 'spec' })).apiKey;
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${readSchema()}" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE`);
    await db?.dispose();
  });

  const plan = (key: string, body: unknown) => gateway.call('POST', '/v1/operations', { key, body });

  it("answers 201 with the dry run of the caller's own items, sending PlanOperation scoped to its tenant", async () => {
    const answer = await plan(keys.operator, { kind: 'redrive', filter: { tool: 'crm' }, rate: 20 });
    expect(answer.status).toBe(201);
    const planned = answer.json as { operationId: string };
    expect(answer.headers.get('location')).toBe(`/v1/operations/${planned.operationId}`);
    expect(planned).toMatchObject({ kind: 'redrive', status: 'planned', total: 2, done: 0, repeatsSideEffect: 1, rate: 20, requestedBy: { kind: 'user', id: 'sre' } });
    expect(sent.at(-1)).toMatchObject({ type: 'PlanOperation', scope: { kind: 'tenant', tenantId: 'acme' }, metadata: { tenantId: 'acme' } });
    const items = (await gateway.call('GET', `/v1/operations/${planned.operationId}/items`, { key: keys.operator })).json as { items: { itemId: string; outcome: unknown }[] };
    expect(items.items.map((i) => [i.itemId, i.outcome])).toEqual([['acme-0', null], ['acme-1', null]]);
  });

  it('confirms, pauses, resumes and aborts, answering 409 with the reason where the status does not allow it', async () => {
    const { operationId } = (await plan(keys.admin, { kind: 'redrive', filter: {} })).json as { operationId: string };
    const act = (action: string, body?: unknown) => gateway.call('POST', `/v1/operations/${operationId}/${action}`, { key: keys.operator, ...(body === undefined ? {} : { body }) });
    expect((await act('pause')).status).toBe(409);
    expect(await act('confirm')).toMatchObject({ status: 200, json: { status: 'running' } });
    const twice = await act('confirm');
    expect(twice.status).toBe(409);
    expect((twice.json as { detail: string }).detail).toMatch(/is running: confirm applies only when it is planned/);
    expect(await act('pause')).toMatchObject({ status: 200, json: { status: 'paused' } });
    expect(await act('resume')).toMatchObject({ status: 200, json: { status: 'running' } });
    expect(await act('abort', { reason: 'the crm is down again' })).toMatchObject({ status: 200, json: { status: 'aborted', abortReason: 'the crm is down again' } });
    expect((await act('resume')).status).toBe(409);
  });

  it('refuses to confirm an operation that matched nothing, with 409 saying so', async () => {
    const { operationId } = (await plan(keys.operator, { kind: 'redrive', filter: { tool: 'nothing-like-it' } })).json as { operationId: string };
    const answer = await gateway.call('POST', `/v1/operations/${operationId}/confirm`, { key: keys.operator });
    expect(answer.status).toBe(409);
    expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((answer.json as { detail: string }).detail).toMatch(/matched nothing/);
  });

  it.each([
    ['an unknown kind', { kind: 'purge', filter: {} }, '#/kind'],
    ['a discard without a reason', { kind: 'discard', filter: { tool: 'crm' } }, '#/reason'],
    ['a discard with an empty filter', { kind: 'discard', filter: {}, reason: 'noise' }, '#/filter'],
    ['an unknown filter field', { kind: 'redrive', filter: { topic: 'x' } }, '#/filter'],
    ['a rate above the limit', { kind: 'redrive', filter: {}, rate: 5000 }, '#/rate'],
    ['another tenant named in the filter', { kind: 'redrive', filter: { tenant: 'globex' } }, '#/filter/tenant'],
  ])('refuses %s with 422, sending nothing', async (_, body, pointer) => {
    const before = sent.length;
    const answer = await plan(keys.operator, body);
    expect(answer.status).toBe(422);
    expect((answer.json as { errors?: { pointer: string }[] }).errors?.map((error) => error.pointer).some((p) => p.startsWith(pointer))).toBe(true);
    expect(sent.length).toBe(before);
  });

  it("shows a tenant its own operations only: another tenant's id is a 404, to read and to act on", async () => {
    const { operationId } = (await plan(keys.operator, { kind: 'redrive', filter: { tool: 'crm' } })).json as { operationId: string };
    expect((await gateway.call('GET', `/v1/operations/${operationId}`, { key: keys.globexOperator })).status).toBe(404);
    expect((await gateway.call('GET', `/v1/operations/${operationId}/items`, { key: keys.globexOperator })).status).toBe(404);
    expect((await gateway.call('POST', `/v1/operations/${operationId}/confirm`, { key: keys.globexOperator })).status).toBe(404);
    const globex = (await gateway.call('GET', '/v1/operations', { key: keys.globexOperator })).json as { items: unknown[] };
    expect(globex.items).toEqual([]);
    const acme = (await gateway.call('GET', '/v1/operations', { key: keys.operator })).json as { items: { scope: unknown }[] };
    expect(acme.items.length).toBeGreaterThan(0);
    expect(acme.items.every((op) => JSON.stringify(op.scope) === JSON.stringify({ kind: 'tenant', tenantId: 'acme' }))).toBe(true);
  });

  it("lets the platform admin plan across tenants, seen by it alone, and read every tenant's operations", async () => {
    const answer = await plan(platformKey, { kind: 'redrive', filter: { tool: 'crm' } });
    expect(answer.status).toBe(201);
    const { operationId, total } = answer.json as { operationId: string; total: number };
    expect(total).toBe(3);
    expect(sent.at(-1)).toMatchObject({ type: 'PlanOperation', scope: { kind: 'platform' }, metadata: { tenantId: 'platform' } });
    expect((await gateway.call('GET', `/v1/operations/${operationId}`, { key: keys.admin })).status).toBe(404);
    const all = (await gateway.call('GET', '/v1/operations?limit=200', { key: platformKey })).json as { items: { operationId: string; scope: { kind: string } }[] };
    expect(all.items.map((op) => op.scope.kind)).toEqual(expect.arrayContaining(['platform', 'tenant']));
    expect((await gateway.call('POST', '/v1/operations', { key: keys.operator, body: { kind: 'rebuild-projection', filter: { projection: 'sessions' } } })).status).toBe(403);
  });

  it('keeps operations from viewers, approvers and auditors', async () => {
    for (const key of [keys.viewer, keys.auditor]) {
      expect((await gateway.call('GET', '/v1/operations', { key })).status).toBe(403);
      expect((await plan(key, { kind: 'redrive', filter: {} })).status).toBe(403);
    }
  });

  it('pages newest first', async () => {
    const first = (await gateway.call('GET', '/v1/operations?limit=2', { key: keys.operator })).json as { items: { requestedAt: string }[]; nextCursor: string };
    expect(first.items).toHaveLength(2);
    const next = (await gateway.call('GET', `/v1/operations?limit=2&cursor=${first.nextCursor}`, { key: keys.operator })).json as { items: { requestedAt: string }[] };
    expect(next.items.length).toBeGreaterThan(0);
    expect(Date.parse(next.items[0]!.requestedAt)).toBeLessThanOrEqual(Date.parse(first.items[1]!.requestedAt));
  });
});
