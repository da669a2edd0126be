import { randomUUID } from 'node:crypto';
import { analysisStream, maxAnalysisInputChars, sessionStream, type AnalyzeSession, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, planRequested, type TestSchema } from '@agent-orchestrator/testing';
import type { Model, ModelRequest } from '@openai/agents';
import { pino } from 'pino';
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

  const stamp = (sessionId: string, type: string, data: unknown): NewEvent => planRequested({ type, schemaVersion: type === 'SessionStarted' ? 3 : 1, tenantId, correlationId: sessionId, data });
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
  async function failedSession(goal: string, extraTurns: unknown[] = []): Promise<string> {
    const sessionId = randomUUID();
    const turns = [{ agent: 'Executor', run: 'lookup', fail: 'The CRM model endpoint refused the request (HTTP 400).' }, ...extraTurns];
    await store.append(sessionStream(sessionId), [
      stamp(sessionId, 'SessionStarted', { goal, context: { modelScript: { turns } }, constraints: {}, agentVersions: {}, toolVersions: {} }),
      stamp(sessionId, 'PlanRequested', { planner: 'Planner', attempt: 1 }),
      stamp(sessionId, 'PlanProposed', { steps: [{ stepId: 'lookup', title: 'Look the customer up', agent: 'Executor', dependsOn: [] }] }),
      stamp(sessionId, 'StepScheduled', { stepId: 'lookup', agent: 'Executor', attempt: 1 }),
    ]);
    const [request] = await store.readStream(sessionStream(sessionId), { fromVersion: 3 });
    await new AgentRunner({ store, models, prices: defaultPriceTable, logger }).onWorkRequested(request as Parameters<AgentRunner['onWorkRequested']>[0]);
    await store.append(sessionStream(sessionId), [
      stamp(sessionId, 'StepFailed', { stepId: 'lookup', attempt: 1, reason: 'The CRM model endpoint refused the request (HTTP 400).', retryable: false }),
      stamp(sessionId, 'SessionFailed', { reason: 'step lookup failed: The CRM model endpoint refused the request (HTTP 400).', usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }),
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
});
