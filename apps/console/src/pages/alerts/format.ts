// Pure: an alert's rule and severity in words.
/** One alert as GET /v1/alerts lists it. */
export interface AlertItem {
  readonly alertId: string;
  readonly key: string;
  readonly rule: 'dead-letters' | 'projection-stalled' | 'approval-overdue' | 'budget';
  readonly severity: 'warning' | 'critical';
  readonly summary: string;
  readonly subject: Readonly<Record<string, string | number>>;
  readonly status: 'open' | 'resolved';
  readonly raisedAt: string;
  readonly resolvedAt: string | null;
}

export const ruleLabels: Record<AlertItem['rule'], string> = {
  'dead-letters': 'Dead letters',
  'projection-stalled': 'Projection stalled',
  'approval-overdue': 'Approval past its SLA',
  budget: 'Budget',
};

/** Where a person acts on the alert's cause, when the console has a page for it. */
export function causeLink(alert: Pick<AlertItem, 'rule' | 'subject'>): { to: string; label: string } | undefined {
  switch (alert.rule) {
    case 'approval-overdue':
      return typeof alert.subject.approvalId === 'string' ? { to: `/approvals/${encodeURIComponent(alert.subject.approvalId)}`, label: 'Open the approval' } : undefined;
    case 'dead-letters':
      return { to: '/dead-letters', label: 'See the dead letters' };
    case 'projection-stalled':
      return { to: '/projections', label: 'See the projections' };
    case 'budget':
      return undefined;
  }
}

/** "3 open alerts", "1 open alert". */
export const openCount = (count: number) => `${count} open alert${count === 1 ? '' : 's'}`;
