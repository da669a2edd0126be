import type { BudgetEvent, BudgetTerms, EventEnvelope, NewEvent, SetBudget } from '@agent-orchestrator/contracts';
import { stamp } from './stamp.js';

export interface SetBudgetAt extends BudgetTerms {
  readonly budgetId: string;
  /** When these terms were set. */
  readonly setAt: string;
}

/** A tenant's budgets by id, folded from its `budget-<tenant>` stream: the latest terms of each. */
export type TenantBudgets = ReadonlyMap<string, SetBudgetAt>;

const sameTerms = (a: BudgetTerms, b: BudgetTerms): boolean => a.period === b.period && a.unit === b.unit && a.limit === b.limit && JSON.stringify(a.scope) === JSON.stringify(b.scope);

/** The `budget-<tenant>` stream: SetBudget records new terms; the same terms again record nothing. */
export const tenantBudgetsDecider = {
  initialState: (): TenantBudgets => new Map(),
  evolve(budgets: TenantBudgets, event: EventEnvelope | NewEvent): TenantBudgets {
    if (event.type !== 'BudgetSet') return budgets;
    const { budgetId, ...terms } = (event as BudgetEvent).data;
    return new Map(budgets).set(budgetId, { budgetId, ...terms, setAt: event.occurredAt });
  },
  decide(command: SetBudget, budgets: TenantBudgets): readonly NewEvent[] {
    const { budgetId, terms, metadata } = command;
    const current = budgets.get(budgetId);
    if (current !== undefined && sameTerms(current, terms)) return [];
    return [stamp(metadata, 0, 'BudgetSet', { budgetId, scope: terms.scope, period: terms.period, unit: terms.unit, limit: terms.limit })];
  },
};

/**
 * The budgets a model call counts against: the tenant's, its agent's and its session's (none when
 * the call is of no session's run: `sessionId` undefined).
 */
export function budgetsFor(budgets: TenantBudgets, call: { readonly agent: string; readonly sessionId?: string }): SetBudgetAt[] {
  return [...budgets.values()].filter(({ scope }) => {
    switch (scope.kind) {
      case 'tenant':
        return true;
      case 'agent':
        return scope.agent === call.agent;
      case 'session':
        return call.sessionId !== undefined && scope.sessionId === call.sessionId;
      default: {
        const unreachable: never = scope;
        return unreachable;
      }
    }
  });
}
