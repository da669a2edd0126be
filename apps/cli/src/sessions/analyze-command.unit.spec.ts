import { analysisText } from './analyze-command.js';

const base = {
  analysisId: 'a1',
  status: 'recorded' as const,
  requestedBy: 'ops@acme.example',
  startedAt: '2026-11-29T15:00:00.000Z',
  endedAt: '2026-11-29T15:00:01.000Z',
  analyst: 'Analyst',
  model: 'scripted',
  input: { text: 'trace', events: 900, shown: 400, summarised: true },
  reason: null,
  budgetId: null,
  usage: { inputTokens: 812, outputTokens: 164, costUsd: 0.0012 },
};

describe('ao sessions analyze, as text', () => {
  it('prints the findings, the failure and what to change, and says the trace was summarised', () => {
    const lines = analysisText({
      ...base,
      findings: {
        outcome: 'failed',
        whatHappened: 'The planner was refused.',
        timeAndMoney: { summary: '0.4 s in all.', hotspots: [{ what: 'plan 1 (Planner)', durationMs: 410, costUsd: null, tokens: 0 }] },
        failure: { cause: 'the planner request was refused', evidence: ['SessionFailed: refused'] },
        recommendations: ['Check the provider.'],
      },
    });
    expect(lines[0]).toBe('analysis a1 by scripted (976 tokens, $0.0012; 400 of 900 events shown, the rest summarised)');
    expect(lines).toEqual(expect.arrayContaining(['outcome: failed', '  - plan 1 (Planner), 410 ms, 0 tokens', 'why it failed:', '  the planner request was refused', '  - Check the provider.']));
  });

  it('prints why a failed analysis has no findings', () => {
    expect(analysisText({ ...base, status: 'failed', findings: null, reason: 'the Analyst failed: refused' }).at(-1)).toBe('failed: the Analyst failed: refused');
  });

  it('prints the budget that refused an analysis, and that no model call was made', () => {
    const lines = analysisText({ ...base, status: 'refused', findings: null, usage: null, budgetId: 'daily-tokens', reason: 'the model call was refused: budget "daily-tokens" would be crossed' });
    expect(lines[0]).toContain('(no usage;');
    expect(lines.at(-1)).toBe('refused by budget daily-tokens: the model call was refused: budget "daily-tokens" would be crossed');
  });
});
