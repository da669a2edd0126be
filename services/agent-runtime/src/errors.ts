export type AgentRuntimeErrorCode =
  /** A model script (inline in a session's context) failed its schema. Not retryable. */
  | 'InvalidModelScript'
  /** A session names a model fixture that does not exist. Not retryable. */
  | 'UnknownModelFixture'
  /** The model provider refused the request for good (a scripted failure, a bad request). */
  | 'ModelFailed'
  /** The model provider could not be reached or was overloaded: worth retrying. */
  | 'ModelUnavailable'
  /** No price is known for a model, so its cost cannot be counted against a budget. */
  | 'UnknownModelPrice'
  /** A price table override failed its schema. */
  | 'InvalidPriceTable'
  /** A run names an agent the session neither pinned nor has built in. Not retryable. */
  | 'UnknownAgent'
  /** A model call would cross a budget: the run ends with the budget named. Not retryable. */
  | 'BudgetExhausted';

export class AgentRuntimeError extends Error {
  override readonly name = 'AgentRuntimeError';
  /** BudgetExhausted: the budget that refused the call. */
  readonly budgetId?: string;

  constructor(
    readonly code: AgentRuntimeErrorCode,
    message: string,
    options?: { cause?: unknown; budgetId?: string },
  ) {
    super(message, options);
    if (options?.budgetId !== undefined) this.budgetId = options.budgetId;
  }

  get retryable(): boolean {
    switch (this.code) {
      case 'ModelUnavailable':
        return true;
      case 'InvalidModelScript':
      case 'UnknownModelFixture':
      case 'ModelFailed':
      case 'UnknownModelPrice':
      case 'InvalidPriceTable':
      case 'UnknownAgent':
      case 'BudgetExhausted':
        return false;
      default: {
        const unreachable: never = this.code;
        return unreachable;
      }
    }
  }
}

export function isAgentRuntimeError(error: unknown, code?: AgentRuntimeErrorCode): error is AgentRuntimeError {
  return error instanceof Error && error.name === 'AgentRuntimeError' && (code === undefined || (error as AgentRuntimeError).code === code);
}
