export { budgetsFor, tenantBudgetsDecider, type SetBudgetAt, type TenantBudgets } from './budgets.js';
export { budgetErrorCodes, BudgetError, isBudgetError, type BudgetErrorCode } from './errors.js';
export { budgetLedgerDecider, describeBudget, maxEventsPerLedgerDecision, type LedgerCommand } from './ledger.js';
