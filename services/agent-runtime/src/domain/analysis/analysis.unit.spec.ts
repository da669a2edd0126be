import { eventCatalog, type CommandMetadata, type NewEvent } from '@agent-orchestrator/contracts';
import { AnalysisError, decideAnalysis, evolveAnalyses, initialAnalysesState, type AnalysisCommand } from './analysis.js';

const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004'];
const metadata: CommandMetadata = { tenantId: 'acme', correlationId: 's1', causationId: 'c1', actor: { kind: 'user', id: 'ops@acme.example' }, traceparent: null, now: '2026-11-29T15:00:00.000Z', eventIds: ids };
const analysisId = '5e2d1c0b-7a6f-4e3d-8c2b-1a0f9e8d7c6b';
const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0 };
const start: AnalysisCommand = { type: 'StartAnalysis', analysisId, sessionId: 's1', analyst: 'Analyst', model: 'scripted', input: { text: 'trace', events: 1, shown: 1, summarised: false }, metadata };
const findings = { outcome: 'failed' as const, whatHappened: 'It failed.', timeAndMoney: { summary: 'Quick.', hotspots: [] }, failure: { cause: 'refused', evidence: [] }, recommendations: ['Retry.'] };
const record: AnalysisCommand = { type: 'RecordFindings', analysisId, sessionId: 's1', model: 'scripted', findings, usage, metadata };
const fail: AnalysisCommand = { type: 'FailAnalysis', analysisId, sessionId: 's1', model: 'scripted', reason: 'x'.repeat(5000), usage, metadata };
const refuse: AnalysisCommand = { type: 'RefuseAnalysis', analysisId, sessionId: 's1', model: 'scripted', budgetId: 'daily-tokens', reason: 'the model call was refused: budget "daily-tokens" would be crossed', metadata };

/** Given events, when a command: the events it decides, each valid against the catalog. */
function given(...commands: AnalysisCommand[]) {
  const state = commands.reduce((so, command) => decideAnalysis(command, so).reduce(evolveAnalyses, so), initialAnalysesState());
  return {
    when(command: AnalysisCommand): NewEvent[] {
      const events = decideAnalysis(command, state);
      for (const event of events) expect(eventCatalog.validateNewEvent(event)).toEqual({ ok: true });
      return events;
    },
  };
}

describe('the analysis decider', () => {
  it("starts an analysis once, as the asker's, with the command's first event id", () => {
    const [started] = given().when(start);
    expect(started).toMatchObject({ eventId: ids[0], type: 'SessionAnalysisStarted', actor: { kind: 'user', id: 'ops@acme.example' }, data: { analysisId, input: { text: 'trace' } } });
    expect(given(start).when(start)).toEqual([]);
  });

  it("records findings or a failure (its reason kept to the catalog's bound) as the Analyst's, and the first ending stands", () => {
    expect(given(start).when(record)).toMatchObject([{ eventId: ids[1], type: 'SessionAnalysisRecorded', actor: { kind: 'agent', id: 'Analyst' }, data: { findings } }]);
    const [failed] = given(start).when(fail);
    expect(failed).toMatchObject({ eventId: ids[2], type: 'SessionAnalysisFailed' });
    expect((failed!.data as { reason: string }).reason).toHaveLength(4000);
    expect(given(start, record).when(fail)).toEqual([]);
    expect(given(start, fail).when(record)).toEqual([]);
  });

  it('records a refusal by a budget as the Analyst\'s, naming the budget; an analysis refused stays refused', () => {
    expect(given(start).when(refuse)).toMatchObject([
      { eventId: ids[3], type: 'SessionAnalysisRefused', actor: { kind: 'agent', id: 'Analyst' }, data: { analysisId, budgetId: 'daily-tokens', reason: expect.stringContaining('would be crossed') } },
    ]);
    expect(given(start, refuse).when(record)).toEqual([]);
    expect(given(start, refuse).when(refuse)).toEqual([]);
    expect(given(start, fail).when(refuse)).toEqual([]);
  });

  it('refuses an ending for an analysis that never started', () => {
    expect(() => given().when(record)).toThrow(AnalysisError);
    expect(() => given().when(refuse)).toThrow(AnalysisError);
  });
});
