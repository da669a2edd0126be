import type { BudgetLedgerEvent } from '@agent-orchestrator/contracts';
import type { AlertCondition } from './alert-rules.js';

/** A budget's use reached 50, 80 or 100 % of its limit within one period (the event the agent runtime records on the budget's ledger). */
export type BudgetThresholdCrossed = Extract<BudgetLedgerEvent, { type: 'BudgetThresholdCrossed' }>['data'];

function budgetOwner(scope: BudgetThresholdCrossed['scope']): string {
  switch (scope.kind) {
    case 'tenant':
      return 'the tenant';
    case 'agent':
      return `agent ${scope.agent}`;
    case 'session':
      return `session ${scope.sessionId}`;
    default: {
      const unknown: never = scope;
      throw new Error(`unknown budget scope ${JSON.stringify(unknown)}`);
    }
  }
}

const formatAmount = (amount: number, unit: BudgetThresholdCrossed['unit']) => (unit === 'usd' ? `${amount.toFixed(2)} USD` : `${amount} tokens`);

/**
 * One alert per budget, period and threshold: a crossing seen twice (a redelivered event) has the
 * same key, so it is raised once. 100 % is critical (the next call is refused), 50 and 80 % warn.
 */
export function budgetAlert(tenantId: string, crossed: BudgetThresholdCrossed): AlertCondition {
  return {
    key: `budget:${crossed.budgetId}:${crossed.periodStart}:${crossed.thresholdPercent}`,
    rule: 'budget',
    scope: { kind: 'tenant', tenantId },
    severity: crossed.thresholdPercent === 100 ? 'critical' : 'warning',
    summary: `Budget of ${budgetOwner(crossed.scope)} at ${crossed.thresholdPercent} % of its ${crossed.period === 'session' ? 'session' : `${crossed.period}ly`} limit: ${formatAmount(crossed.used, crossed.unit)} of ${formatAmount(crossed.limit, crossed.unit)}`,
    subject: { budgetId: crossed.budgetId, period: crossed.period, periodStart: crossed.periodStart, unit: crossed.unit, limit: crossed.limit, used: crossed.used, thresholdPercent: crossed.thresholdPercent },
  };
}

/**
 * The budget alerts a new crossing closes: those of the same budget from an earlier period (the
 * period rolled over, so the condition no longer holds). Keys of the open alerts, by prefix.
 */
export function budgetAlertsSuperseded(openKeys: readonly string[], crossed: BudgetThresholdCrossed): string[] {
  const prefix = `budget:${crossed.budgetId}:`;
  return openKeys.filter((key) => key.startsWith(prefix) && !key.startsWith(`${prefix}${crossed.periodStart}:`));
}
