import { randomUUID } from 'node:crypto';
import { analysisStream, costAt, priceOf, pricesStream, type NewEvent, type PriceTable } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { TenantDatabase } from '@agent-orchestrator/postgres';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { createTestSchema, tenantDatabaseAt, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource } from 'typeorm';
import { UsageProjection } from './usage-projection.js';
import { UsageQueries } from './usage-queries.js';

/** Usage and cost from the log: real PostgreSQL, the real projection runner, events as the services append them. */
describe('usage read model', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  let tenancy: TenantDatabase;
  let queries: UsageQueries;
  let priceVersion = 0;

  const firstPrices: PriceTable = { 'gpt-5': { inputUsdPerMillion: 1.25, outputUsdPerMillion: 10 }, 'gpt-5-mini': { inputUsdPerMillion: 0.25, outputUsdPerMillion: 2 } };
  const day = (d: number, second = 0) => new Date(Date.UTC(2026, 10, d, 9, 0, second)).toISOString();
  const from = new Date(Date.UTC(2026, 10, 1));
  const to = new Date(Date.UTC(2026, 11, 1));

  beforeAll(async () => {
    db = await createTestSchema('usage_read_model');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    tenancy = await tenantDatabaseAt(db.pool, db.connectionString);
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 4, entities: [] }).initialize();
    runner = new ProjectionRunner(new UsageProjection(db.schema, tenancy.appRole.name), { store, dataSource, schema: db.schema, batchSize: 7 });
    await runner.start();
    queries = new UsageQueries(tenancy, db.schema);
  });
  afterAll(async () => {
    await runner.stop();
    await dataSource.destroy();
    await tenancy?.tenantPool.end();
    await store.close();
    await db.dispose();
  });

  const envelope = (tenantId: string, type: string, occurredAt: string, data: unknown): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    tenantId,
    correlationId: randomUUID(),
    causationId: null,
    actor: { kind: 'service', id: 'agent-runtime' },
    occurredAt,
    traceparent: null,
    data,
  });

  const setPrices = async (prices: PriceTable, effectiveFrom: string) => {
    priceVersion += 1;
    const event = envelope('platform', 'ModelPricesSet', new Date().toISOString(), { version: priceVersion, effectiveFrom, prices, source: 'api' });
    return store.append(pricesStream, [event], { expectedVersion: priceVersion === 1 ? 'no_stream' : priceVersion - 2 });
  };

  interface Call {
    readonly tenantId: string;
    readonly sessionId: string;
    readonly agent: string;
    readonly model: string;
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly at: string;
    readonly tool?: string;
  }

  /** One agent run with one model turn (and the tool it asked for), as agent-runtime records it. */
  const recordRun = async (call: Call) => {
    const runId = `${call.sessionId}.step.s${randomUUID().slice(0, 8)}.1`;
    const task = { kind: 'step', stepId: 's1', attempt: 1 };
    const usage = { inputTokens: call.inputTokens, outputTokens: call.outputTokens, costUsd: 0.5 };
    const events = [
      envelope(call.tenantId, 'AgentRunStarted', call.at, { sessionId: call.sessionId, task, agent: call.agent, model: call.model }),
      envelope(call.tenantId, 'ModelResponded', call.at, { sessionId: call.sessionId, turn: 0, model: call.model, output: [], usage }),
    ];
    if (call.tool) events.push(envelope(call.tenantId, 'ToolCallRequested', call.at, { sessionId: call.sessionId, runId, agent: call.agent, callId: 'c1', tool: call.tool, arguments: '{}' }));
    return store.append(`agentrun-${runId}`, events);
  };

  const calls: Call[] = [
    { tenantId: 'acme', sessionId: randomUUID(), agent: 'Researcher', model: 'gpt-5', inputTokens: 1200, outputTokens: 300, at: day(3), tool: 'crm' },
    { tenantId: 'acme', sessionId: randomUUID(), agent: 'Researcher', model: 'gpt-5-mini-2026-01-01', inputTokens: 5000, outputTokens: 100, at: day(3, 5) },
    { tenantId: 'acme', sessionId: randomUUID(), agent: 'Executor', model: 'gpt-5', inputTokens: 800, outputTokens: 2000, at: day(4), tool: 'echo' },
    { tenantId: 'globex', sessionId: randomUUID(), agent: 'Executor', model: 'gpt-5', inputTokens: 999, outputTokens: 111, at: day(4, 7) },
  ];
  const expectedCost = (subset: readonly Call[], table: PriceTable) => subset.reduce((sum, call) => sum + costAt(priceOf(call.model, table)!, call), 0);

  it('sums tokens and cost by agent, model, tool and day equal to the recorded events priced at the version in effect', async () => {
    await setPrices(firstPrices, '2026-01-01T00:00:00.000Z');
    for (const call of calls) await recordRun(call);
    await runner.waitFor((await store.lastPosition())!);

    const acme = calls.filter((call) => call.tenantId === 'acme');
    const byAgent = await queries.usage({ kind: 'tenant', tenantId: 'acme' }, { from, to, groupBy: 'agent', limit: 100 });
    expect(byAgent.totals).toEqual({
      calls: 3,
      inputTokens: acme.reduce((sum, call) => sum + call.inputTokens, 0),
      outputTokens: acme.reduce((sum, call) => sum + call.outputTokens, 0),
      costUsd: expect.closeTo(expectedCost(acme, firstPrices), 9),
    });
    expect(byAgent.rows.map((row) => [row.key, row.calls])).toEqual(expect.arrayContaining([['Researcher', 2], ['Executor', 1]]));
    const researcher = byAgent.rows.find((row) => row.key === 'Researcher')!;
    expect(researcher.costUsd).toBeCloseTo(expectedCost(acme.slice(0, 2), firstPrices), 9);

    const byTool = await queries.usage({ kind: 'tenant', tenantId: 'acme' }, { from, to, groupBy: 'tool', limit: 100 });
    expect(Object.fromEntries(byTool.rows.map((row) => [row.key, row.calls]))).toEqual({ crm: 1, echo: 1, null: 1 });
    const byDay = await queries.usage({ kind: 'tenant', tenantId: 'acme' }, { from, to, groupBy: 'day', limit: 100 });
    expect(Object.fromEntries(byDay.rows.map((row) => [row.key, row.calls]))).toEqual({ '2026-11-03': 2, '2026-11-04': 1 });
    // A dated snapshot is priced as its family, not at the runtime's recorded cost.
    const byModel = await queries.usage({ kind: 'tenant', tenantId: 'acme' }, { from, to, groupBy: 'model', limit: 100 });
    expect(byModel.rows.find((row) => row.key === 'gpt-5-mini-2026-01-01')!.costUsd).toBeCloseTo(costAt(firstPrices['gpt-5-mini']!, calls[1]!), 9);
  });

  it("shows a tenant its own rows and none of another's, whatever it groups by; the platform scope sees every tenant", async () => {
    const byTenant = await queries.usage({ kind: 'tenant', tenantId: 'globex' }, { from, to, groupBy: 'tenant', limit: 100 });
    expect(byTenant.rows.map((row) => [row.key, row.calls])).toEqual([['globex', 1]]);
    const everyone = await queries.usage({ kind: 'platform' }, { from, to, groupBy: 'tenant', limit: 100 });
    expect(Object.fromEntries(everyone.rows.map((row) => [row.key, row.calls]))).toEqual({ acme: 3, globex: 1 });
    // Below the application: the tenant scope hides the rows even from a query that names another tenant.
    const { rows } = await queries.read({ kind: 'tenant', tenantId: 'globex' }, (client) => client.query(`SELECT count(*)::int AS n FROM ${queries.tables.calls} WHERE tenant_id = 'acme'`));
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('prices again, live and after a rebuild, the calls a later version covers, and only those', async () => {
    const corrected: PriceTable = { 'gpt-5': { inputUsdPerMillion: 2, outputUsdPerMillion: 20 }, 'gpt-5-mini': { inputUsdPerMillion: 0.25, outputUsdPerMillion: 2 } };
    // From day 4 on: the day-3 calls keep the first version's price.
    const { position } = await setPrices(corrected, day(4));
    await runner.waitFor(position);
    const acme = calls.filter((call) => call.tenantId === 'acme');
    const expected = expectedCost(acme.slice(0, 2), firstPrices) + expectedCost(acme.slice(2), corrected);
    const live = await queries.usage({ kind: 'tenant', tenantId: 'acme' }, { from, to, groupBy: 'day', limit: 100 });
    expect(live.totals.costUsd).toBeCloseTo(expected, 9);
    expect(live.rows.find((row) => row.key === '2026-11-04')!.costUsd).toBeCloseTo(expectedCost(acme.slice(2), corrected), 9);

    await runner.rebuild();
    const rebuilt = await queries.usage({ kind: 'platform' }, { from, to, groupBy: 'session', limit: 100 });
    expect(rebuilt.totals.costUsd).toBeCloseTo(expected + expectedCost(calls.slice(3), corrected), 9);
    expect(rebuilt.totals.calls).toBe(4);
    const session = (await queries.usage({ kind: 'tenant', tenantId: 'acme' }, { from, to, groupBy: 'session', limit: 1 }));
    expect(session).toMatchObject({ truncated: true, totals: { calls: 3 } });
    expect(session.rows).toHaveLength(1);
  });

  it('keeps the runtime\'s recorded cost for a model no version prices', async () => {
    const call: Call = { tenantId: 'initech', sessionId: randomUUID(), agent: 'Planner', model: 'llama-local', inputTokens: 10, outputTokens: 10, at: day(5) };
    const { position } = await recordRun(call);
    await runner.waitFor(position);
    const report = await queries.usage({ kind: 'tenant', tenantId: 'initech' }, { from, to, groupBy: 'model', limit: 10 });
    expect(report.rows).toEqual([{ key: 'llama-local', calls: 1, inputTokens: 10, outputTokens: 10, costUsd: 0.5 }]);
  });
  it("counts a session's analyses under the Analyst agent and the session: a call per analysis that used tokens, none for one refused by a budget", async () => {
    const tenantId = 'hooli';
    const sessionId = randomUUID();
    await recordRun({ tenantId, sessionId, agent: 'Executor', model: 'llama-local', inputTokens: 40, outputTokens: 2, at: day(6) });
    const input = { text: 'the trace', events: 3, shown: 3, summarised: false };
    const findings = { outcome: 'failed', whatHappened: 'It failed.', timeAndMoney: { summary: 'Quick.', hotspots: [] }, failure: null, recommendations: ['Retry.'] };
    const analysis = (type: string, analysisId: string, data: Record<string, unknown>) => envelope(tenantId, type, day(6, 30), { analysisId, sessionId, ...data });
    const [recorded, failed, refused] = [randomUUID(), randomUUID(), randomUUID()];
    const started = (analysisId: string) => analysis('SessionAnalysisStarted', analysisId, { analyst: 'Analyst', model: 'llama-local', input });
    const { position } = await store.append(analysisStream(sessionId), [
      started(recorded),
      analysis('SessionAnalysisRecorded', recorded, { model: 'llama-local', findings, usage: { inputTokens: 700, outputTokens: 90, costUsd: 0.25 } }),
      started(failed),
      analysis('SessionAnalysisFailed', failed, { model: 'llama-local', reason: 'the Analyst failed: the provider refused', usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }),
      started(refused),
      analysis('SessionAnalysisRefused', refused, { model: 'llama-local', budgetId: 'daily-tokens', reason: 'the model call was refused: budget "daily-tokens" would be crossed' }),
    ]);
    await runner.waitFor(position);

    const expectAnalystCounted = async () => {
      const byAgent = await queries.usage({ kind: 'tenant', tenantId }, { from, to, groupBy: 'agent', limit: 10 });
      expect(byAgent.rows).toEqual(
        expect.arrayContaining([
          { key: 'Analyst', calls: 1, inputTokens: 700, outputTokens: 90, costUsd: 0.25 },
          { key: 'Executor', calls: 1, inputTokens: 40, outputTokens: 2, costUsd: 0.5 },
        ]),
      );
      expect(byAgent.totals).toEqual({ calls: 2, inputTokens: 740, outputTokens: 92, costUsd: 0.75 });
      const bySession = await queries.usage({ kind: 'tenant', tenantId }, { from, to, groupBy: 'session', limit: 10 });
      expect(bySession.rows).toEqual([{ key: sessionId, calls: 2, inputTokens: 740, outputTokens: 92, costUsd: 0.75 }]);
      const { rows: runs } = await queries.read({ kind: 'tenant', tenantId }, (client) => client.query(`SELECT agent, status, count(*)::int AS n FROM ${queries.tables.runs} WHERE session_id = $1 GROUP BY agent, status ORDER BY agent, status`, [sessionId]));
      // The failed and the refused analysis are failed runs of the Analyst, for the dashboard's failures by agent.
      expect(runs).toEqual([
        { agent: 'Analyst', status: 'completed', n: 1 },
        { agent: 'Analyst', status: 'failed', n: 2 },
        { agent: 'Executor', status: 'running', n: 1 },
      ]);
    };
    await expectAnalystCounted();
    await runner.rebuild();
    await expectAnalystCounted();
  });
});
