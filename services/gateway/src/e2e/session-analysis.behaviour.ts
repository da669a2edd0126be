import { waitFor } from '@agent-orchestrator/testing';
import { ao } from './audit-export.behaviour.js';
import { api, type Target } from './scenarios.behaviour.js';

const email = 'ada.lovelace@example.com';
const card = '4111 1111 1111 1111';

interface AnalysisView {
  analysisId: string;
  status: 'running' | 'recorded' | 'failed' | 'refused';
  requestedBy: string;
  input: { text: string; events: number; shown: number; summarised: boolean };
  findings: { outcome: string; whatHappened: string; failure: { cause: string; evidence: string[] } | null; recommendations: string[] } | null;
  reason: string | null;
  budgetId: string | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number } | null;
}

/** Asks for an analysis of the session and waits for it to end; every analysis the session then has. */
export async function analyse(target: Target, sessionId: string): Promise<{ analysisId: string; analyses: AnalysisView[] }> {
  const { call } = api(target);
  const requested = await call('POST', `/v1/sessions/${sessionId}/analysis`);
  expect(requested).toMatchObject({ status: 202, body: { sessionId, status: 'requested', analysisId: expect.any(String) } });
  const { analysisId } = requested.body as { analysisId: string };
  let analyses: AnalysisView[] = [];
  await waitFor(
    `analysis ${analysisId} to end`,
    async () => {
      analyses = (await call('GET', `/v1/sessions/${sessionId}/analysis`)).body.items;
      const mine = analyses.find((analysis) => analysis.analysisId === analysisId);
      return mine !== undefined && mine.status !== 'running';
    },
    { timeoutMs: 90_000 },
  );
  return { analysisId, analyses };
}

/**
 * Issue 19's "Analyze with an LLM": a session of the demo whose planner request is refused, its
 * goal holding an e-mail address and a card number that the tenant (redaction off) keeps in the
 * log. The Analyst's findings name the failure, its usage is recorded, and the input the model was
 * given holds the redacted forms only. Another tenant's key finds no such session.
 */
export async function sessionAnalysisScenario(target: Target, otherTenant: Target): Promise<void> {
  const { call, waitForStatus, events } = api(target);
  expect((await call('PUT', '/v1/privacy', { body: { redact: 'off' } })).status).toBe(200);
  let sessionId: string;
  try {
    const started = await call('POST', '/v1/sessions', { body: { goal: `Write to ${email} about the card ${card}`, context: { modelFixture: 'planner-fails' } } });
    expect(started.status).toBe(202);
    sessionId = (started.body as { sessionId: string }).sessionId;
    await waitForStatus(sessionId, 'failed');
  } finally {
    expect((await call('PUT', '/v1/privacy', { body: { redact: 'default' } })).status).toBe(200);
  }
  // The log keeps what the tenant chose to keep: the Analyst redacts on its own account.
  expect(JSON.stringify(await events(sessionId))).toContain(email);

  const { analysisId, analyses } = await analyse(target, sessionId);
  const [analysis] = analyses;
  expect(analysis).toMatchObject({ analysisId, status: 'recorded', input: { summarised: false } });
  expect(analysis!.findings).toMatchObject({ outcome: 'failed', failure: { cause: expect.stringContaining('the planner request was refused') } });
  expect(analysis!.findings!.recommendations.length).toBeGreaterThan(0);
  expect(analysis!.usage!.inputTokens).toBeGreaterThan(0);
  expect(analysis!.usage!.outputTokens).toBeGreaterThan(0);
  const seen = analysis!.input.text;
  expect(seen).toContain('[REDACTED:email]');
  expect(seen).toContain('[REDACTED:card]');
  for (const value of [email, card, card.replace(/ /g, '')]) expect(seen).not.toContain(value);

  // A second analysis is another one, listed first; the first stays as it was.
  const again = await analyse(target, sessionId);
  expect(again.analyses.map((item) => item.analysisId)).toEqual([again.analysisId, analysisId]);

  const theirs = api(otherTenant);
  for (const [method, path] of [
    ['GET', `/v1/sessions/${sessionId}/analysis`],
    ['POST', `/v1/sessions/${sessionId}/analysis`],
  ] as const) {
    expect(await theirs.call(method, path)).toMatchObject({ status: 404, body: { detail: expect.stringContaining(sessionId) } });
  }
  expect((await call('POST', '/v1/sessions/not-a-session/analysis')).status).toBe(404);
  expect((await call('POST', `/v1/sessions/${sessionId}/analysis`, { body: { model: 'gpt-5' } })).status).toBe(422);
  // Neither the refusals nor the other tenant's requests asked for an analysis.
  expect((await call('GET', `/v1/sessions/${sessionId}/analysis`)).body.items).toHaveLength(2);

  // `ao sessions analyze` asks, waits, and prints the ended analysis.
  const env = { AO_URL: target.url, AO_API_KEY: target.key };
  const cli = await ao(['sessions', 'analyze', sessionId, '--json'], env);
  expect(cli).toMatchObject({ code: 0, stderr: expect.stringContaining('requested') });
  expect(JSON.parse(cli.stdout)).toMatchObject({ status: 'recorded', findings: { outcome: 'failed', failure: { cause: expect.stringContaining('the planner request was refused') } } });
  expect(await ao(['sessions', 'analyze', sessionId], { ...env, AO_API_KEY: otherTenant.key })).toMatchObject({ code: 3 });
}

/**
 * The Analyst's model call is governed as a run's: `/v1/usage` counts an analysis's tokens and cost
 * under the agent `Analyst`; a tenant whose budget has no room left for the call gets an analysis
 * ended `refused`, naming the budget, with no model call made and nothing more counted. Leaves the
 * tenant's budget `no-room-for-analyses` in place: run it last.
 */
export async function analysisBudgetScenario(target: Target): Promise<void> {
  const { call, waitForStatus } = api(target);
  const since = new Date().toISOString();
  const started = await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'planner-fails' } } });
  expect(started.status).toBe(202);
  const { sessionId } = started.body as { sessionId: string };
  await waitForStatus(sessionId, 'failed');

  const { analysisId, analyses } = await analyse(target, sessionId);
  const recorded = analyses.find((analysis) => analysis.analysisId === analysisId)!;
  expect(recorded.status).toBe('recorded');
  const usage = recorded.usage!;
  expect(usage.inputTokens).toBeGreaterThan(0);
  const analystUsage = async () => {
    const report = await call('GET', `/v1/usage?from=${encodeURIComponent(since)}&groupBy=agent`);
    expect(report.status).toBe(200);
    return (report.body as { rows: { key: string | null; calls: number; inputTokens: number; outputTokens: number; costUsd: number }[] }).rows.find((row) => row.key === 'Analyst');
  };
  const counted = await waitFor(
    'the analysis in /v1/usage',
    async () => {
      const row = await analystUsage();
      return row?.calls === 1 && row;
    },
    { timeoutMs: 60_000 },
  );
  expect(counted).toMatchObject({ key: 'Analyst', calls: 1, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUsd: expect.closeTo(usage.costUsd, 9) });

  // The tenant's budget for the day has no room left for the Analyst's call (its worst case is thousands of tokens).
  const budget = await call('PUT', '/v1/budgets/no-room-for-analyses', { body: { scope: { kind: 'tenant' }, period: 'day', unit: 'tokens', limit: 1 } });
  expect(budget.status).toBe(200);
  const refused = await analyse(target, sessionId);
  expect(refused.analyses.find((analysis) => analysis.analysisId === refused.analysisId)).toMatchObject({
    status: 'refused',
    budgetId: 'no-room-for-analyses',
    reason: expect.stringMatching(/^the model call was refused: budget "no-room-for-analyses" \(the tenant, per day, in tokens\) would be crossed/),
    findings: null,
    usage: null,
  });
  // No model call was made: the log has the analysis's start and its refusal only, and usage counts no more.
  const log = (await call('GET', `/v1/sessions/${sessionId}/analysis`)).body.items as AnalysisView[];
  expect(log.map((analysis) => analysis.status)).toEqual(['refused', 'recorded']);
  expect(await analystUsage()).toEqual(counted);
}
