import { eventCatalog } from '@agent-orchestrator/contracts';
import { deadLetterConditions, overdueApprovalConditions, stalledProjectionConditions, type AlertCondition } from './alert-rules.js';
import { budgetAlert, budgetAlertsSuperseded, type BudgetThresholdCrossed } from './budget-rule.js';
import { decideAlert, evolveAlert, initialAlertState, type AlertState } from './decide-alert.js';

const now = new Date('2026-11-29T14:00:00.000Z');
const context = { now: now.toISOString(), alertId: '6c1f0e2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b' };

/** The decision as an event the catalog validates: the rules' output is what the log accepts. */
function expectValid(decided: ReturnType<typeof decideAlert>) {
  expect(decided).toBeDefined();
  expect(eventCatalog.validateData({ type: decided!.type, schemaVersion: 1, data: decided!.data })).toEqual({ ok: true });
}

describe('alert rules', () => {
  it('dead letters: a consumer at the threshold holds, below it does not; ten times over is critical; no tenant is the platform', () => {
    const conditions = deadLetterConditions(
      [
        { tenantId: 'acme', consumer: 'orchestrator', pending: 3 },
        { tenantId: 'acme', consumer: 'policy', pending: 2 },
        { tenantId: null, consumer: 'relay', pending: 30 },
      ],
      3,
    );
    expect(conditions.map(({ key, scope, severity }) => ({ key, scope, severity }))).toEqual([
      { key: 'dead-letters:orchestrator', scope: { kind: 'tenant', tenantId: 'acme' }, severity: 'warning' },
      { key: 'dead-letters:relay', scope: { kind: 'platform' }, severity: 'critical' },
    ]);
  });

  it('projections: only a stalled one holds, and it is the platform\'s', () => {
    const conditions = stalledProjectionConditions([
      { projection: 'sessions', state: 'stalled', lag: 42 },
      { projection: 'approvals', state: 'running', lag: 3 },
      { projection: 'operations', state: 'rebuilding', lag: 900 },
    ]);
    expect(conditions).toEqual([expect.objectContaining({ key: 'projection-stalled:sessions', scope: { kind: 'platform' }, severity: 'critical', subject: { projection: 'sessions', lag: 42 } })]);
  });

  it('approvals: pending past the SLA holds, within it does not', () => {
    const requested = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
    const conditions = overdueApprovalConditions(
      [
        { approvalId: 'a1', tenantId: 'acme', tool: 'crm.updateInvoice', requestedAt: requested(75) },
        { approvalId: 'a2', tenantId: 'acme', tool: 'crm.read', requestedAt: requested(59) },
      ],
      now,
      60 * 60_000,
    );
    expect(conditions).toEqual([
      expect.objectContaining({ key: 'approval-overdue:a1', summary: 'Approval of crm.updateInvoice waiting 75 min, past its 60 min SLA', subject: { approvalId: 'a1', tool: 'crm.updateInvoice', waitingMs: 75 * 60_000 } }),
    ]);
  });
});

describe('budget rule', () => {
  const crossed = (thresholdPercent: 50 | 80 | 100, periodStart = '2026-11-01T00:00:00.000Z', scope: BudgetThresholdCrossed['scope'] = { kind: 'agent', agent: 'Researcher' }): BudgetThresholdCrossed => ({
    budgetId: 'b-1',
    scope,
    period: 'month',
    periodStart,
    unit: 'usd',
    limit: 100,
    used: thresholdPercent,
    thresholdPercent,
  });

  it.each([
    [50, 'warning'],
    [80, 'warning'],
    [100, 'critical'],
  ] as const)('%i %% is one alert of severity %s per budget, period and threshold', (percent, severity) => {
    const alert = budgetAlert('acme', crossed(percent));
    expect(alert).toMatchObject({ key: `budget:b-1:2026-11-01T00:00:00.000Z:${percent}`, severity, scope: { kind: 'tenant', tenantId: 'acme' } });
    expect(alert.summary).toBe(`Budget of agent Researcher at ${percent} % of its monthly limit: ${percent}.00 USD of 100.00 USD`);
    expect(budgetAlert('acme', crossed(percent)).key).toBe(alert.key);
  });

  it('names the session or the tenant whose budget it is, in tokens', () => {
    const session = budgetAlert('acme', { ...crossed(80, 's', { kind: 'session', sessionId: 's-9' }), period: 'session', unit: 'tokens', limit: 1000, used: 800 });
    expect(session.summary).toBe('Budget of session s-9 at 80 % of its session limit: 800 tokens of 1000 tokens');
    expect(budgetAlert('acme', crossed(50, 'p', { kind: 'tenant' })).summary).toContain('Budget of the tenant');
  });

  it('a crossing in a new period supersedes the same budget\'s alerts of earlier periods, no other', () => {
    const open = [budgetAlert('acme', crossed(80, '2026-10-01T00:00:00.000Z')).key, budgetAlert('acme', crossed(50)).key, 'budget:b-2:2026-10-01T00:00:00.000Z:80'];
    expect(budgetAlertsSuperseded(open, crossed(50))).toEqual(['budget:b-1:2026-10-01T00:00:00.000Z:80']);
  });
});

describe('decideAlert', () => {
  const [condition] = stalledProjectionConditions([{ projection: 'sessions', state: 'stalled', lag: 5 }]) as [AlertCondition];
  const holds = { holds: true as const, condition };
  const cleared = { holds: false as const, key: condition.key, scope: condition.scope };

  it('given no alert, when the condition holds, then it is raised (a valid AlertRaised)', () => {
    const decided = decideAlert(initialAlertState, holds, context);
    expect(decided).toMatchObject({ type: 'AlertRaised', data: { alertId: context.alertId, key: 'projection-stalled:sessions', raisedAt: context.now } });
    expectValid(decided);
  });

  it('given an open alert, when the condition still holds, then nothing (raised once)', () => {
    const open = evolveAlert(initialAlertState, { ...decideAlert(initialAlertState, holds, context)!, tenantId: 'platform' } as never);
    expect(open.status).toBe('open');
    expect(decideAlert(open, holds, { ...context, alertId: 'another' })).toBeUndefined();
  });

  it('given an open alert, when the condition clears, then it is resolved under the same alert id; resolved, a clear does nothing', () => {
    const open: AlertState = evolveAlert(initialAlertState, decideAlert(initialAlertState, holds, context) as never);
    const resolved = decideAlert(open, cleared, { now: '2026-11-29T14:05:00.000Z', alertId: 'unused' });
    expect(resolved).toMatchObject({ type: 'AlertResolved', data: { alertId: context.alertId, key: condition.key, resolvedAt: '2026-11-29T14:05:00.000Z' } });
    expectValid(resolved);
    const after = evolveAlert(open, resolved as never);
    expect(after).toEqual({ status: 'resolved' });
    expect(decideAlert(after, cleared, context)).toBeUndefined();
    expect(decideAlert(initialAlertState, cleared, context)).toBeUndefined();
  });

  it('given a resolved alert, when the condition holds again, then a new alert is raised', () => {
    expect(decideAlert({ status: 'resolved' }, holds, { ...context, alertId: '7d1f0e2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b' })).toMatchObject({ type: 'AlertRaised', data: { alertId: '7d1f0e2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b' } });
  });
});
