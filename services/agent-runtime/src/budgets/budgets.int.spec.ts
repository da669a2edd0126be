import { randomUUID } from 'node:crypto';
import { agentRunStream, budgetLedgerStream, budgetPeriodKey, budgetStream, periodStartOf, sessionStream, type BudgetTerms, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, planRequested, testDatabaseUrl, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { pino } from 'pino';
import { defaultPriceTable } from '../model/pricing.js';
import { AgentRunner } from '../runs/agent-runner.js';
import { ScriptedModels } from '../runs/model-source.js';
import { setBudget } from './budget-commands.js';
import { BudgetGuard } from './budget-guard.js';

const logger = pino({ level: 'silent' });
/** Each call may write this much; the script writes a little less, after a while, so calls overlap. */
const maxOutputTokens = 10_000;
const writes = { inputTokens: 1, outputTokens: 9_500 };

/** Four "processes": each its own pool and store, so the only thing they share is the database. */
const processCount = 4;

describe('budgets hold model calls across concurrent runs and processes', () => {
  let db: TestSchema;
  const pools: pg.Pool[] = [];
  const stores: PostgresEventStore[] = [];

  beforeAll(async () => {
    db = await createTestSchema('budgets_hold', 4);
    for (let i = 0; i < processCount; i++) {
      const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 5 });
      pools.push(pool);
      stores.push(await PostgresEventStore.open({ pool, schema: db.schema }));
    }
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const pool of pools) await pool.end();
    await db.dispose();
  });

  const runnerOn = (store: PostgresEventStore, prices = defaultPriceTable) =>
    new AgentRunner({ store, models: new ScriptedModels(), prices, logger, budgets: new BudgetGuard({ store, prices, defaultMaxOutputTokens: maxOutputTokens }) });

  /** Sets a budget of `tenantId` through the command agent-runtime handles. Each test has its own tenant. */
  async function set(tenantId: string, budgetId: string, terms: BudgetTerms): Promise<void> {
    const metadata = { tenantId, correlationId: budgetStream(tenantId), causationId: null, actor: { kind: 'user' as const, id: 'ada' }, traceparent: null, now: new Date().toISOString(), eventIds: [] };
    await setBudget(stores[0]!, randomUUID(), { type: 'SetBudget', budgetId, terms, metadata });
  }

  /** Starts a session with one Executor step and runs it on `store`; the run's events. */
  async function runStep(tenantId: string, store: PostgresEventStore, options: { agent?: string; sessionId?: string; prices?: typeof defaultPriceTable } = {}): Promise<{ sessionId: string; run: EventEnvelope[] }> {
    const { agent = 'Executor', sessionId = randomUUID() } = options;
    const stamp = (type: string, data: unknown): NewEvent => planRequested({ type, schemaVersion: type === 'SessionStarted' ? 3 : 1, tenantId, correlationId: sessionId, data });
    const turns = [{ agent, run: 'work', text: 'done', usage: writes, delayMs: 50 }];
    await store.append(sessionStream(sessionId), [
      stamp('SessionStarted', { goal: 'Do the work', context: { modelScript: { turns } }, constraints: {}, agentVersions: {}, toolVersions: {} }),
      stamp('PlanRequested', { planner: 'Planner', attempt: 1 }),
      stamp('PlanProposed', { steps: [{ stepId: 'work', title: 'Do it', agent, dependsOn: [] }] }),
      stamp('StepScheduled', { stepId: 'work', agent, attempt: 1 }),
    ]);
    const [request] = await store.readStream(sessionStream(sessionId), { fromVersion: 3 });
    await runnerOn(store, options.prices).onWorkRequested(request as Parameters<AgentRunner['onWorkRequested']>[0]);
    return { sessionId, run: await store.readStream(agentRunStream(`${sessionId}.step.work.1`)) };
  }

  const ledgerOf = (tenantId: string, budgetId: string, period: 'day' | 'month' | 'session') =>
    stores[0]!.readStream(budgetLedgerStream(tenantId, budgetId, period === 'session' ? 'session' : budgetPeriodKey(period, periodStartOf(period, new Date().toISOString()))));

  it('lets 20 concurrent runs in 4 processes use at most the limit, refusing the rest with the budget named, thresholds once each', async () => {
    const limit = 120_000;
    await set('acme', 'daily-tokens', { scope: { kind: 'tenant' }, period: 'day', unit: 'tokens', limit });
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => runStep('acme', stores[i % processCount]!)));

    const ends = runs.map(({ run }) => run.at(-1)!);
    const completed = ends.filter((end) => end.type === 'AgentRunCompleted');
    const failed = ends.filter((end) => end.type === 'AgentRunFailed');
    expect(completed.length + failed.length).toBe(20);
    expect(failed.length).toBeGreaterThan(0);
    for (const end of failed) {
      expect(end.data).toMatchObject({ retryable: false, reason: expect.stringMatching(/^the model call was refused: budget "daily-tokens" \(the tenant, per day, in tokens\) would be crossed: \d+ tokens of its 120000 tokens are used or held/) });
    }

    const ledger = await ledgerOf('acme', 'daily-tokens', 'day');
    const reservations = ledger.filter((event) => event.type === 'BudgetReserved').map((event) => (event.data as { amount: number }).amount);
    const used = ledger.filter((event) => event.type === 'BudgetSettled').reduce((sum, event) => sum + (event.data as { used: number }).used, 0);
    const largestReservation = Math.max(...reservations);
    const overshoot = used - limit;
    console.log(JSON.stringify({ runs: 20, processes: processCount, limit, completed: completed.length, refused: failed.length, used, largestReservation, overshoot, overshootInReservations: overshoot / largestReservation }));
    expect(reservations).toHaveLength(completed.length);
    expect(used).toBe(completed.length * (writes.inputTokens + writes.outputTokens));
    expect(overshoot).toBeLessThanOrEqual(largestReservation);
    expect(used).toBeLessThanOrEqual(limit);

    // Use reaches at least 80 %: a refusal means used and held together were within a reservation of the limit.
    const thresholds = ledger.filter((event) => event.type === 'BudgetThresholdCrossed').map((event) => event.data as { thresholdPercent: number; used: number });
    expect(thresholds.map((crossed) => crossed.thresholdPercent)).toEqual([50, 80, ...(used >= limit ? [100] : [])]);
    for (const crossed of thresholds) expect(crossed.used).toBeGreaterThanOrEqual((limit * crossed.thresholdPercent) / 100);
  });

  it("holds an agent's budget only to that agent's runs, and a refused run records no model response", async () => {
    await set('globex', 'researcher-monthly', { scope: { kind: 'agent', agent: 'Researcher' }, period: 'month', unit: 'tokens', limit: 100 });
    const refused = await runStep('globex', stores[1]!, { agent: 'Researcher' });
    const other = await runStep('globex', stores[1]!, { agent: 'Executor' });
    expect(other.run.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunCompleted']);
    expect(refused.run.map((event) => event.type)).toEqual(['AgentRunStarted', 'AgentRunFailed']);
    expect(refused.run[1]!.data).toMatchObject({ retryable: false, reason: expect.stringContaining('budget "researcher-monthly" (agent Researcher, per month, in tokens) would be crossed: 0 tokens of its 100 tokens') });
    expect(await ledgerOf('globex', 'researcher-monthly', 'month')).toEqual([]);
  });

  it('holds a session budget to its own session, in USD at the price of the model', async () => {
    const prices = { ...defaultPriceTable, scripted: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 } };
    const sessionId = randomUUID();
    await set('initech', 'one-session', { scope: { kind: 'session', sessionId }, period: 'session', unit: 'usd', limit: 0.03 });
    const first = await runStep('initech', stores[2]!, { sessionId, prices });
    expect(first.run.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunCompleted']);
    const elsewhere = await runStep('initech', stores[2]!, { prices });
    expect(elsewhere.run.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunCompleted']);

    const ledger = await ledgerOf('initech', 'one-session', 'session');
    expect(ledger.map((event) => event.type)).toEqual(['BudgetReserved', 'BudgetSettled', 'BudgetThresholdCrossed']);
    // 9,500 tokens written at $2 a million and one read at $1: $0.019001, past 50 % of $0.03.
    expect(ledger[1]!.data).toMatchObject({ used: 0.019001 });
    expect(ledger[2]!.data).toEqual({ budgetId: 'one-session', scope: { kind: 'session', sessionId }, period: 'session', periodStart: expect.any(String), unit: 'usd', limit: 0.03, used: 0.019001, thresholdPercent: 50 });
    const reserved = (ledger[0]!.data as { amount: number }).amount;
    expect(reserved).toBeGreaterThan(0.02); // the worst case: 10,000 tokens written, and the input as estimated
  });
});
