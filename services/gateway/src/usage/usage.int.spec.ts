import { randomBytes, randomUUID } from 'node:crypto';
import { costAt, defaultPriceTable, pricesStream, type NewEvent, type PriceTable } from '@agent-orchestrator/contracts';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { ApprovalsProjection, DashboardQueries, DeadLetterIndex, SessionsProjection, UsageProjection, UsageQueries, openReadModels, sessionsTables, type ReadModels } from '@agent-orchestrator/read-models';
import { openPlatform, parsePlatformConfig, type Platform } from '@agent-orchestrator/service-host';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';

const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `t_usage_es_${suffix}`, readModels: `t_usage_rm_${suffix}`, gateway: `t_usage_gw_${suffix}` };

interface Report {
  rows: { key: string | null; calls: number; inputTokens: number; outputTokens: number; costUsd: number }[];
  totals: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
}

/**
 * The usage, dashboard and prices routes over the usage read model and the others the dashboard
 * reads, projected from a real log on PostgreSQL; the gateway on real Kafka. A PUT of prices that
 * the observability service records is the dev-mode spec's (services/observability/src/usage.e2e.spec.ts).
 */
describe('the usage routes', () => {
  let platform: Platform;
  let readModels: ReadModels;
  let runners: ProjectionRunner[];
  let gateway: GatewayUnderTest;
  const platformKey = `platform-${randomBytes(16).toString('hex')}`;
  const keys = { admin: '', operator: '', approver: '', auditor: '', viewer: '', globexAdmin: '' };
  const now = new Date();
  const sessions = { acme: randomUUID(), globex: randomUUID() };

  const envelope = (tenantId: string, type: string, data: unknown): NewEvent => ({ eventId: randomUUID(), type, schemaVersion: 1, tenantId, correlationId: randomUUID(), causationId: null, actor: { kind: 'service', id: 'spec' }, occurredAt: now.toISOString(), traceparent: null, data });
  const run = async (tenantId: string, sessionId: string, agent: string, model: string, inputTokens: number, outputTokens: number, tool?: { name: string; failed: boolean }) => {
    const runId = `${sessionId}.step.s${randomBytes(3).toString('hex')}.1`;
    const events = [
      envelope(tenantId, 'AgentRunStarted', { sessionId, task: { kind: 'step', stepId: 's1', attempt: 1 }, agent, model }),
      envelope(tenantId, 'ModelResponded', { sessionId, turn: 0, model, output: [], usage: { inputTokens, outputTokens, costUsd: 0 } }),
      ...(tool ? [envelope(tenantId, 'ToolCallRequested', { sessionId, runId, agent, callId: 'c1', tool: tool.name, arguments: '{}' })] : []),
    ];
    await platform.store.append(`agentrun-${runId}`, events);
    if (tool) await platform.store.append(`toolcall-${runId}.c1`, [envelope(tenantId, tool.failed ? 'ToolCallFailed' : 'ToolCallCompleted', { sessionId, runId, callId: 'c1', tool: tool.name, ...(tool.failed ? { reason: 'HTTP 500' } : { output: '{}' }) })]);
  };

  const setPrices = (version: number, prices: PriceTable, effectiveFrom: string) =>
    platform.store.append(pricesStream, [{ ...envelope('platform', 'ModelPricesSet', { version, effectiveFrom, prices, source: version === 1 ? 'configuration' : 'api' }), actor: { kind: 'user', id: 'platform-admin:spec' } }]);

  beforeAll(async () => {
    platform = await openPlatform(
      parsePlatformConfig(
        { DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testBrokers().join(','), TOPIC_PREFIX: uniqueTopicPrefix('usage'), EVENT_STORE_SCHEMA: schemas.eventStore, READ_MODEL_SCHEMA: schemas.readModels, LOG_LEVEL: 'silent', EVENT_POLL_MS: '10' },
        'observability',
      ),
      'observability',
    );
    // The platform's prices as the observability service records MODEL_PRICES at its first start.
    await setPrices(1, defaultPriceTable, '1970-01-01T00:00:00.000Z');
    readModels = await openReadModels({ url: testDatabaseUrl(), schema: schemas.readModels });
    // The other read models the dashboard reads, as the orchestrator and the replay service keep them.
    runners = [new UsageProjection(schemas.readModels, platform.appRole.name), new SessionsProjection(sessionsTables(schemas.readModels), platform.appRole.name), new ApprovalsProjection(schemas.readModels, platform.appRole.name)].map((projection) => new ProjectionRunner(projection, { store: platform.store, dataSource: readModels.dataSource, schema: schemas.readModels }));
    for (const runner of runners) await runner.start();
    await new DeadLetterIndex(platform.pool, schemas.readModels, platform.appRole.name).setUp();
    const usageQueries = new UsageQueries(platform, schemas.readModels);
    gateway = await startGateway(
      { databaseUrl: testDatabaseUrl(), port: 0, schema: schemas.gateway, bootstrapAdminApiKey: undefined, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024, platformAdminApiKey: platformKey },
      {
        logger: pino({ level: 'silent' }),
        database: platform,
        sessions: { store: platform.store, producer: platform.producer, topics: platform.topics, queries: readModels.sessionQueries, modelCalls: readModels.modelCallQueries, approvals: readModels.approvalQueries, parkedCalls: readModels.parkedCallQueries },
        usage: { queries: usageQueries, dashboard: new DashboardQueries(usageQueries) },
      },
    );
    const apiKeys = new ApiKeyStore(platform, schemas.gateway);
    for (const role of ['admin', 'operator', 'approver', 'auditor', 'viewer'] as const) keys[role] = (await apiKeys.create({ tenantId: 'acme', name: role, roles: [role], createdBy: 'spec' })).apiKey;
    keys.globexAdmin = (await apiKeys.create({ tenantId: 'globex', name: 'globex admin', roles: ['admin'], createdBy: 'spec' })).apiKey;

    await platform.store.append(`session-${sessions.acme}`, [envelope('acme', 'SessionStarted', { goal: 'Upgrade customer 42', context: {}, constraints: {} })]);
    await run('acme', sessions.acme, 'Researcher', 'gpt-5', 1000, 200, { name: 'crm', failed: true });
    await run('acme', sessions.acme, 'Researcher', 'gpt-5-mini', 4000, 100);
    await run('acme', sessions.acme, 'Executor', 'gpt-5', 500, 1500, { name: 'crm', failed: false });
    await run('globex', sessions.globex, 'Spy', 'gpt-5', 7777, 7777, { name: 'billing', failed: true });
    const last = (await platform.store.lastPosition())!;
    for (const runner of runners) await runner.waitFor(last);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    for (const runner of runners ?? []) await runner.stop();
    await readModels?.close();
    await platform?.pool.query(`DROP SCHEMA IF EXISTS ${schemas.eventStore} CASCADE; DROP SCHEMA IF EXISTS ${schemas.readModels} CASCADE; DROP SCHEMA IF EXISTS ${schemas.gateway} CASCADE`);
    await platform?.close();
  });

  const get = async (key: string, path: string) => {
    const answer = await gateway.call('GET', path, { key });
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    return answer.json as Report;
  };
  const priceOf = (model: 'gpt-5' | 'gpt-5-mini', inputTokens: number, outputTokens: number) => costAt(defaultPriceTable[model]!, { inputTokens, outputTokens });

  it("sums the tenant's calls by agent to its admins, operators and auditors, priced by the configured prices, and refuses approvers and viewers", async () => {
    for (const key of [keys.admin, keys.operator, keys.auditor]) {
      const report = await get(key, '/v1/usage?groupBy=agent');
      expect(report.totals).toEqual({ calls: 3, inputTokens: 5500, outputTokens: 1800, costUsd: expect.closeTo(priceOf('gpt-5', 1000, 200) + priceOf('gpt-5-mini', 4000, 100) + priceOf('gpt-5', 500, 1500), 9) });
      expect(report.rows.map((row) => [row.key, row.calls])).toEqual([['Executor', 1], ['Researcher', 2]]);
    }
    for (const key of [keys.approver, keys.viewer]) expect((await gateway.call('GET', '/v1/usage', { key })).status).toBe(403);
  });

  it("shows a tenant none of another tenant's usage, and the platform admin every tenant's or the one it names", async () => {
    const globex = await get(keys.globexAdmin, '/v1/usage?groupBy=tenant');
    expect(globex.rows.map((row) => row.key)).toEqual(['globex']);
    expect((await get(keys.globexAdmin, `/v1/usage?groupBy=session`)).rows.map((row) => row.key)).toEqual([sessions.globex]);
    expect(Object.fromEntries((await get(platformKey, '/v1/usage?groupBy=tenant')).rows.map((row) => [row.key, row.calls]))).toEqual({ acme: 3, globex: 1 });
    expect((await get(platformKey, '/v1/usage?groupBy=tenant&tenant=globex')).rows.map((row) => row.key)).toEqual(['globex']);
    const chosen = await gateway.call('GET', '/v1/usage?tenant=globex', { key: keys.admin });
    expect(chosen).toMatchObject({ status: 403, json: { detail: expect.stringContaining('Only the platform admin chooses a tenant') } });
  });

  it('answers a bad query with problem+json 400 naming the parameter', async () => {
    for (const query of ['groupBy=user', 'from=yesterday', 'to=2026-13-01', 'limit=0', 'limit=abc', 'colour=red', 'from=2026-11-02&to=2026-11-01', 'from=2020-01-01&to=2026-01-01']) {
      const answer = await gateway.call('GET', `/v1/usage?${query}`, { key: keys.admin });
      expect({ query, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ query, status: 400, type: expect.stringContaining('application/problem+json') });
    }
    for (const query of ['days=0', 'days=91', 'days=x', 'groupBy=day']) expect((await gateway.call('GET', `/v1/dashboard?${query}`, { key: keys.admin })).status).toBe(400);
  });

  it("draws the dashboard from the tenant's own rows: sessions, cost today and this month, top agents and tools by cost and by failures", async () => {
    const dashboard = (await gateway.call('GET', '/v1/dashboard?days=7', { key: keys.operator })).json as Record<string, unknown>;
    const today = now.toISOString().slice(0, 10);
    const cost = priceOf('gpt-5', 1000, 200) + priceOf('gpt-5-mini', 4000, 100) + priceOf('gpt-5', 500, 1500);
    expect(dashboard).toMatchObject({
      days: 7,
      sessionsByStatus: [{ day: today, status: 'queued', count: 1 }],
      approvals: { pending: 0, oldestPendingSeconds: null },
      deadLetters: { pending: 0 },
      cost: { todayUsd: expect.closeTo(cost, 9), monthUsd: expect.closeTo(cost, 9) },
      topAgents: { byCost: [{ name: 'Executor', calls: 1 }, { name: 'Researcher', calls: 2 }], byFailures: [] },
      topTools: { byCost: [{ name: 'crm', calls: 2 }], byFailures: [{ name: 'crm', failures: 1 }] },
    });
    for (const key of [keys.approver, keys.viewer]) expect((await gateway.call('GET', '/v1/dashboard', { key })).status).toBe(403);
  });

  it("refuses a price change to a tenant's admin and a malformed table to the platform admin; lists the versions to usage readers", async () => {
    const prices = { 'gpt-5': { inputUsdPerMillion: 100, outputUsdPerMillion: 1000 }, 'gpt-5-mini': { inputUsdPerMillion: 0, outputUsdPerMillion: 0 } };
    for (const key of [keys.admin, keys.operator]) expect((await gateway.call('PUT', '/v1/prices', { key, body: { prices } })).status).toBe(403);
    for (const body of [{ prices: { 'gpt-5': { inputUsdPerMillion: -1, outputUsdPerMillion: 1 } } }, { prices, effectiveFrom: 'soon' }, { prices, colour: 'red' }]) {
      expect((await gateway.call('PUT', '/v1/prices', { key: platformKey, body })).status).toBe(422);
    }
    await setPrices(2, prices, new Date(now.getTime() - 60_000).toISOString());
    for (const key of [keys.auditor, platformKey]) {
      expect((await gateway.call('GET', '/v1/prices', { key })).json).toMatchObject({ inEffect: 2, items: [{ version: 2, source: 'api', prices }, { version: 1, source: 'configuration' }] });
    }
    for (const key of [keys.approver, keys.viewer]) expect((await gateway.call('GET', '/v1/prices', { key })).status).toBe(403);
    // The calls since the new version's instant follow it.
    const repriced = costAt(prices['gpt-5'], { inputTokens: 1500, outputTokens: 1700 });
    const report = await waitFor('usage priced at the new version', async () => {
      const answer = await get(keys.admin, '/v1/usage?groupBy=model');
      return Math.abs(answer.totals.costUsd - repriced) < 1e-9 ? answer : undefined;
    }, { timeoutMs: 30_000 });
    expect(report.rows.find((row) => row.key === 'gpt-5-mini')!.costUsd).toBe(0);
  });
});
