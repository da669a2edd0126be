export type MessagingErrorCode =
  /** The message could not be decoded or failed its schema: it will never succeed. */
  | 'InvalidMessage'
  /** The handler refused the message for good (a business rule, a missing reference). */
  | 'Rejected'
  /** A passing fault (a database restart, a timeout): worth retrying. */
  | 'Transient'
  /** Retries ran out. */
  | 'RetriesExhausted';

/**
 * Handlers signal how a failure should be treated by throwing a MessagingError, or any error with
 * a boolean `retryable`. Anything else is treated as transient: retried, then dead-lettered.
 */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';

  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    switch (this.code) {
      case 'Transient':
        return true;
      case 'InvalidMessage':
      case 'Rejected':
      case 'RetriesExhausted':
        return false;
      default: {
        const unreachable: never = this.code;
        return unreachable;
      }
    }
  }
}

export function isRetryable(error: unknown): boolean {
  const flag = (error as { retryable?: unknown } | null)?.retryable;
  return typeof flag === 'boolean' ? flag : true;
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'Transient';
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
