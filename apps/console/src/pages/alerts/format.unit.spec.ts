import { causeLink, openCount } from './format.js';

describe('alert formatting', () => {
  it('links each rule to where its cause is acted on; a budget has no page yet', () => {
    expect(causeLink({ rule: 'approval-overdue', subject: { approvalId: 'a/1' } })).toEqual({ to: '/approvals/a%2F1', label: 'Open the approval' });
    expect(causeLink({ rule: 'approval-overdue', subject: {} })).toBeUndefined();
    expect(causeLink({ rule: 'dead-letters', subject: { consumer: 'policy' } })?.to).toBe('/dead-letters');
    expect(causeLink({ rule: 'projection-stalled', subject: { projection: 'sessions' } })?.to).toBe('/projections');
    expect(causeLink({ rule: 'budget', subject: { budgetId: 'b' } })).toBeUndefined();
  });

  it('counts open alerts in words', () => {
    expect([openCount(1), openCount(3)]).toEqual(['1 open alert', '3 open alerts']);
  });
});
