export const budgetErrorCodes = ['WouldCross', 'UnknownReservation', 'NoEventId'] as const;
export type BudgetErrorCode = (typeof budgetErrorCodes)[number];

/**
 * Why a budget decision was refused.
 * - WouldCross: the call's worst case does not fit in what the budget has left (the run ends);
 * - UnknownReservation: a settlement for a reservation the ledger never held (a bug in the shell);
 * - NoEventId: the command carries fewer event ids than the decision needs (a bug in the shell).
 */
export class BudgetError extends Error {
  override readonly name = 'BudgetError';

  constructor(
    readonly code: BudgetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isBudgetError(error: unknown, code?: BudgetErrorCode): error is BudgetError {
  return error instanceof Error && error.name === 'BudgetError' && (code === undefined || (error as BudgetError).code === code);
}
