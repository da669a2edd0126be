import { eventCatalog } from '@agent-orchestrator/contracts';
import { deadLetterGrowthConditions, overdueApprovalConditions, stalledProjectionConditions, type AlertCondition } from './alert-rules.js';
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
  describe('dead letters growing', () => {
    const limits = { growth: 5, windowMs: 10 * 60_000 };
    const none = new Set<string>();
    const reading = (consumer: string, arrivedInWindow: number, pending = arrivedInWindow + 20, tenantId: string | null = 'acme') => ({ tenantId, consumer, arrivedInWindow, pending });

    it('raises when at least N arrived within the window, not below it; a large backlog that is not growing raises nothing', () => {
      const conditions = deadLetterGrowthConditions([reading('orchestrator', 5), reading('policy', 4), reading('approvals', 0, 5000)], limits, none);
      expect(conditions).toEqual([
        {
          key: 'dead-letters:orchestrator',
          rule: 'dead-letters',
          scope: { kind: 'tenant', tenantId: 'acme' },
          severity: 'warning',
          summary: 'Dead letters growing for consumer orchestrator: 5 in the last 10 min, 25 pending',
          subject: { consumer: 'orchestrator', arrivedInWindow: 5, pending: 25, growth: 5, windowMs: 600_000 },
        },
      ]);
    });

    it('ten times N within the window is critical; dead letters of no tenant are the platform\'s', () => {
      const [condition] = deadLetterGrowthConditions([reading('relay', 50, 50, null)], limits, none);
      expect(condition).toMatchObject({ key: 'dead-letters:relay', scope: { kind: 'platform' }, severity: 'critical' });
    });

    it('an open alert holds while any still arrive, and clears once a window passes with none (no flapping below N)', () => {
      const open = new Set(['acme:dead-letters:orchestrator', 'platform:dead-letters:relay']);
      const trickle = deadLetterGrowthConditions([reading('orchestrator', 1), reading('relay', 2, 9, null), reading('policy', 1)], limits, open);
      expect(trickle.map((c) => [c.key, c.scope.kind])).toEqual([
        ['dead-letters:orchestrator', 'tenant'],
        ['dead-letters:relay', 'platform'],
      ]);
      expect(deadLetterGrowthConditions([reading('orchestrator', 0)], limits, open)).toEqual([]);
    });

    it('an open alert of one tenant keeps no other tenant\'s consumer of the same name open', () => {
      const open = new Set(['acme:dead-letters:orchestrator']);
      expect(deadLetterGrowthConditions([reading('orchestrator', 1, 3, 'globex')], limits, open)).toEqual([]);
    });

    it('its conditions are valid alert events', () => {
      const [condition] = deadLetterGrowthConditions([reading('orchestrator', 7)], limits, none);
      expectValid(decideAlert(initialAlertState, { holds: true, condition: condition! }, context));
    });
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
