/**
 * Why an operation refused a command. Compare `code`.
 * - OperationNotFound: no operation was planned under this id (or it is another tenant's: the same answer, so ids leak nothing).
 * - NothingMatched: confirming a plan that matched no item.
 * - InvalidTransition: the command does not apply in the operation's status (confirm twice, pause a paused one, resume an ended one).
 * - ItemOutOfOrder: an outcome for an item that is not the next without one.
 * - InvalidCommand: a command the decider cannot use (too few event ids).
 */
export const operationErrorCodes = ['OperationNotFound', 'NothingMatched', 'InvalidTransition', 'ItemOutOfOrder', 'InvalidCommand'] as const;
export type OperationErrorCode = (typeof operationErrorCodes)[number];

export class OperationError extends Error {
  override readonly name = 'OperationError';

  constructor(
    readonly code: OperationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isOperationError(error: unknown, code?: OperationErrorCode): error is OperationError {
  return error instanceof Error && error.name === 'OperationError' && (code === undefined || (error as OperationError).code === code);
}
