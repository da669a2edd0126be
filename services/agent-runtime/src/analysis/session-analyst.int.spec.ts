import { randomUUID } from 'node:crypto';
import { analysisRunId, analysisStream, budgetLedgerStream, budgetPeriodKey, budgetStream, maxAnalysisInputChars, periodStartOf, sessionStream, type AnalyzeSession, type BudgetTerms, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, planRequested, type TestSchema } from '@agent-orchestrator/testing';
import type { Model, ModelRequest } from '@openai/agents';
import { pino } from 'pino';
import { setBudget } from '../budgets/budget-commands.js';
import { BudgetGuard } from '../budgets/budget-guard.js';
import { defaultPriceTable } from '../model/pricing.js';
import { AgentRunner } from '../runs/agent-runner.js';
import { ScriptedModels, type ModelSource } from '../runs/model-source.js';
import { SessionAnalyst } from './session-analyst.js';

const logger = pino({ level: 'silent' });
const tenantId = 'acme';
const email = 'grace.hopper@example.com';
const card = '4111 1111 1111 1111';

/** The scripted model, with every request the Analyst sent written down: what the model saw. */
class WatchedModels implements ModelSource {
  readonly analystInputs: string[] = [];
  private readonly scripted = new ScriptedModels();

  modelFor(...[brief, agent, task]: Parameters<ModelSource['modelFor']>) {
    return this.scripted.modelFor(brief, agent, task);
  }

  async modelForAnalysis(brief: Parameters<ModelSource['modelForAnalysis']>[0]) {
    const { model, name } = await this.scripted.modelForAnalysis(brief);
    const watched: Model = {
      getResponse: (request: ModelRequest) => {
        const { input } = request;
        this.analystInputs.push(typeof input === 'string' ? input : input.map((item) => ('content' in item && typeof item.content === 'string' ? item.content : JSON.stringify(item))).join('\n'));
        return model.getResponse(request);
      },
      getStreamedResponse: (request: ModelRequest) => model.getStreamedResponse(request),
    };
    return { model: watched, name };
  }
}

describe("the Analyst reads a session's redacted trace and records its findings on the session's analysis stream", () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  const models = new WatchedModels();
  let analyst: SessionAnalyst;

  beforeAll(async () => {
    db = await createTestSchema('session_analyst');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    analyst = new SessionAnalyst({ store, models, prices: { ...defaultPriceTable, scripted: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }, logger });
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  const stamp = (sessionId: string, type: string, data: unknown, tenant = tenantId): NewEvent => planRequested({ type, schemaVersion: type === 'SessionStarted' ? 3 : 1, tenantId: tenant, correlationId: sessionId, data });
  const command = (sessionId: string, tenant = tenantId): AnalyzeSession => ({
    type: 'AnalyzeSession',
    sessionId,
    analysisId: randomUUID(),
    metadata: { tenantId: tenant, correlationId: sessionId, causationId: null, actor: { kind: 'user', id: 'ops@acme.example' }, traceparent: null, now: new Date().toISOString(), eventIds: [] },
  });

  /**
   * A session whose one step's model request is refused: the agent runtime really runs it (its
   * run fails), then the orchestrator's failure is appended as it would write it. Nothing is
   * redacted on the way in, as for a tenant that turned redaction off.
   */
  async function failedSession(goal: string, extraTurns: unknown[] = [], tenant = tenantId): Promise<string> {
    const sessionId = randomUUID();
    const turns = [{ agent: 'Executor', run: 'lookup', fail: 'The CRM model endpoint refused the request (HTTP 400).' }, ...extraTurns];
    await store.append(sessionStream(sessionId), [
      stamp(sessionId, 'SessionStarted', { goal, context: { modelScript: { turns } }, constraints: {}, agentVersions: {}, toolVersions: {} }, tenant),
      stamp(sessionId, 'PlanRequested', { planner: 'Planner', attempt: 1 }, tenant),
      stamp(sessionId, 'PlanProposed', { steps: [{ stepId: 'lookup', title: 'Look the customer up', agent: 'Executor', dependsOn: [] }] }, tenant),
      stamp(sessionId, 'StepScheduled', { stepId: 'lookup', agent: 'Executor', attempt: 1 }, tenant),
    ]);
    const [request] = await store.readStream(sessionStream(sessionId), { fromVersion: 3 });
    await new AgentRunner({ store, models, prices: defaultPriceTable, logger }).onWorkRequested(request as Parameters<AgentRunner['onWorkRequested']>[0]);
    await store.append(sessionStream(sessionId), [
      stamp(sessionId, 'StepFailed', { stepId: 'lookup', attempt: 1, reason: 'The CRM model endpoint refused the request (HTTP 400).', retryable: false }, tenant),
      stamp(sessionId, 'SessionFailed', { reason: 'step lookup failed: The CRM model endpoint refused the request (HTTP 400).', usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }, tenant),
    ]);
    return sessionId;
  }

  const analyses = (sessionId: string): Promise<EventEnvelope[]> => store.readStream(analysisStream(sessionId));

  it('names the failure in schema-valid findings, with the usage priced; a redelivered command records nothing more', async () => {
    const sessionId = await failedSession('Look up customer 42');
    const analyze = command(sessionId);
    await analyst.analyze(randomUUID(), analyze);
    const [started, recorded, ...rest] = await analyses(sessionId);
    expect(rest).toEqual([]);
    expect(started).toMatchObject({ type: 'SessionAnalysisStarted', tenantId, data: { analysisId: analyze.analysisId, sessionId, analyst: 'Analyst', model: 'scripted', input: { summarised: false } } });
    const { findings, usage } = recorded!.data as { findings: { outcome: string; failure: { cause: string; evidence: string[] }; recommendations: string[] }; usage: { inputTokens: number; outputTokens: number; costUsd: number } };
    expect(recorded!.type).toBe('SessionAnalysisRecorded');
    expect(findings.outcome).toBe('failed');
    expect(findings.failure.cause).toContain('The CRM model endpoint refused the request (HTTP 400).');
    expect(findings.recommendations.join(' ')).toContain('step lookup attempt 1 (Executor)');
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.costUsd).toBeCloseTo((usage.inputTokens * 1 + usage.outputTokens * 2) / 1e6, 9);

    const commandId = randomUUID();
    const again = command(sessionId);
    await analyst.analyze(commandId, again);
    await analyst.analyze(commandId, again); // the same command delivered again
    expect((await analyses(sessionId)).map((event) => event.type)).toEqual(['SessionAnalysisStarted', 'SessionAnalysisRecorded', 'SessionAnalysisStarted', 'SessionAnalysisRecorded']);
  });

  it('never shows the model personal data the log holds unredacted: its input has the redacted form', async () => {
    const sessionId = await failedSession(`Email ${email} about card ${card}`);
    models.analystInputs.length = 0;
    await analyst.analyze(randomUUID(), command(sessionId));
    const [seen] = models.analystInputs;
    expect(JSON.stringify(await store.readStream(sessionStream(sessionId)))).toContain(email);
    expect(seen).toContain('[REDACTED:email]');
    expect(seen).toContain('[REDACTED:card]');
    expect(seen).not.toContain(email);
    expect(seen).not.toContain(card);
    expect(seen).not.toContain(card.replace(/ /g, ''));
    const [started] = await analyses(sessionId);
    expect(seen).toBe((started!.data as { input: { text: string } }).input.text);
  });

  it('summarises a trace too long for the context, saying so, and the facts still cover every event', async () => {
    const sessionId = await failedSession('Reconcile every invoice');
    const many = Array.from({ length: 700 }, (_, index) => stamp(sessionId, 'ReworkRequested', { round: index + 1, reasons: [`Round ${index + 1}: the totals do not match the ledger yet.`], stepIds: ['lookup'] }));
    await store.append(sessionStream(sessionId), many);
    await analyst.analyze(randomUUID(), command(sessionId));
    const [started, recorded] = await analyses(sessionId);
    const { input } = started!.data as { input: { text: string; events: number; shown: number; summarised: boolean } };
    expect(input.summarised).toBe(true);
    expect(input.events).toBeGreaterThan(700);
    expect(input.shown).toBeLessThan(input.events);
    expect(input.text.length).toBeLessThanOrEqual(maxAnalysisInputChars);
    expect(input.text).toContain('too long to show whole');
    expect(input.text).toMatch(/… \d+ events summarised from \+[\d.]+s to \+[\d.]+s: \d+ ReworkRequested/);
    expect(input.text).toContain('SessionFailed');
    expect(recorded!.type).toBe('SessionAnalysisRecorded');
  });

  it('records an analysis whose model fails as failed, with the reason', async () => {
    const sessionId = await failedSession('Look up customer 7', [{ agent: 'Analyst', run: 'analysis', fail: 'Scripted provider failure: the analyst request was refused.' }]);
    await analyst.analyze(randomUUID(), command(sessionId));
    const [, failed] = await analyses(sessionId);
    expect(failed).toMatchObject({ type: 'SessionAnalysisFailed', data: { reason: expect.stringContaining('the analyst request was refused'), usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } } });
  });

  it("refuses to analyse another tenant's session, writing nothing", async () => {
    const sessionId = await failedSession('Look up customer 9');
    await expect(analyst.analyze(randomUUID(), command(sessionId, 'globex'))).rejects.toMatchObject({ code: 'Rejected' });
    expect(await analyses(sessionId)).toEqual([]);
  });
  describe('its model call is budgeted as a run\'s: the tenant\'s and the Analyst\'s budgets, not the analysed session\'s', () => {
    const prices = { ...defaultPriceTable, scripted: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 } };
    let budgeted: SessionAnalyst;
    let guard: BudgetGuard;
    beforeAll(() => {
      guard = new BudgetGuard({ store, prices });
      budgeted = new SessionAnalyst({ store, models, prices, logger, budgets: guard });
    });

    const set = (tenant: string, budgetId: string, terms: BudgetTerms) =>
      setBudget(store, randomUUID(), { type: 'SetBudget', budgetId, terms, metadata: { tenantId: tenant, correlationId: budgetStream(tenant), causationId: null, actor: { kind: 'user', id: 'ada' }, traceparent: null, now: new Date().toISOString(), eventIds: [] } });
    const ledger = (tenant: string, budgetId: string, period: 'day' | 'month' | 'session') =>
      store.readStream(budgetLedgerStream(tenant, budgetId, period === 'session' ? 'session' : budgetPeriodKey(period, periodStartOf(period, new Date().toISOString()))));

    it('reserves its worst case on the tenant\'s and the Analyst\'s budgets before the call and settles what it used after', async () => {
      const tenant = 'initech';
      const sessionId = await failedSession('Look up customer 11', [], tenant);
      await set(tenant, 'monthly-tokens', { scope: { kind: 'tenant' }, period: 'month', unit: 'tokens', limit: 1_000_000 });
      await set(tenant, 'analyst-usd', { scope: { kind: 'agent', agent: 'Analyst' }, period: 'day', unit: 'usd', limit: 5 });
      await set(tenant, 'executor-usd', { scope: { kind: 'agent', agent: 'Executor' }, period: 'day', unit: 'usd', limit: 0.000001 });
      // The session's own budget has no room: were it counted, the analysis would be refused.
      await set(tenant, 'this-session', { scope: { kind: 'session', sessionId }, period: 'session', unit: 'tokens', limit: 1 });
      const analyze = command(sessionId, tenant);
      await budgeted.analyze(randomUUID(), analyze);

      const [, recorded] = await analyses(sessionId);
      expect(recorded!.type).toBe('SessionAnalysisRecorded');
      const { usage } = recorded!.data as { usage: { inputTokens: number; outputTokens: number; costUsd: number } };
      const runId = analysisRunId(sessionId, analyze.analysisId);
      const tokens = await ledger(tenant, 'monthly-tokens', 'month');
      expect(tokens.map((event) => event.type)).toEqual(['BudgetReserved', 'BudgetSettled']);
      expect(tokens[0]!.data).toMatchObject({ runId, amount: expect.any(Number) });
      // The worst case: the request's estimated input and the most it may write (4096 by default).
      expect((tokens[0]!.data as { amount: number }).amount).toBeGreaterThan(4096);
      expect(tokens[1]!.data).toMatchObject({ reservationId: (tokens[0]!.data as { reservationId: string }).reservationId, used: usage.inputTokens + usage.outputTokens });
      const dollars = await ledger(tenant, 'analyst-usd', 'day');
      expect(dollars.map((event) => event.type)).toEqual(['BudgetReserved', 'BudgetSettled']);
      expect((dollars[1]!.data as { used: number }).used).toBeCloseTo(usage.costUsd, 9);
      expect(await ledger(tenant, 'this-session', 'session')).toEqual([]);
      expect(await ledger(tenant, 'executor-usd', 'day')).toEqual([]);
    });

    it('refuses the analysis of a tenant at its budget, naming the budget, with no model call made and nothing held', async () => {
      const tenant = 'umbrella';
      const sessionId = await failedSession('Look up customer 12', [], tenant);
      const limit = 50_000;
      await set(tenant, 'daily-tokens', { scope: { kind: 'tenant' }, period: 'day', unit: 'tokens', limit });
      // Earlier work of the tenant used the whole day's budget.
      const earlier = { tenantId: tenant, sessionId: randomUUID(), sessionStartedAt: new Date().toISOString(), agent: 'Executor', runId: 'earlier-run', model: 'scripted', traceparent: null };
      const budgets = await guard.budgetsFor(earlier);
      await guard.settle(earlier, await guard.reserve(earlier, budgets, { inputTokens: limit / 2, maxOutputTokens: limit / 2 }), { inputTokens: limit / 2, outputTokens: limit / 2 });

      const asked = models.analystInputs.length;
      const analyze = command(sessionId, tenant);
      await budgeted.analyze(randomUUID(), analyze);
      expect(models.analystInputs).toHaveLength(asked);
      const [started, refused, ...rest] = await analyses(sessionId);
      expect(started!.type).toBe('SessionAnalysisStarted');
      expect(rest).toEqual([]);
      expect(refused).toMatchObject({
        type: 'SessionAnalysisRefused',
        actor: { kind: 'agent', id: 'Analyst' },
        data: { analysisId: analyze.analysisId, budgetId: 'daily-tokens', reason: expect.stringMatching(/^the model call was refused: budget "daily-tokens" \(the tenant, per day, in tokens\) would be crossed: 50000 tokens of its 50000 tokens are used or held/) },
      });
      const held = (await ledger(tenant, 'daily-tokens', 'day')).filter((event) => (event.data as { runId?: string }).runId === analysisRunId(sessionId, analyze.analysisId));
      expect(held).toEqual([]);
      // A redelivered command finds it ended.
      await budgeted.analyze(randomUUID(), { ...analyze });
      expect((await analyses(sessionId)).map((event) => event.type)).toEqual(['SessionAnalysisStarted', 'SessionAnalysisRefused']);
    });
  });
});
