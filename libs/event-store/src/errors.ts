export type EventStoreErrorCode =
  /** The stream is not at the version the writer expected. Retryable after re-reading the stream. */
  | 'WrongExpectedVersion'
  /** An event failed its schema, or the batch is malformed. Not retryable. */
  | 'InvalidEvent'
  /** An event id is already stored in another stream, or only part of the batch was stored before. */
  | 'DuplicateEventId'
  /** The stream belongs to another tenant. */
  | 'TenantMismatch'
  /** The store could not be reached or failed. Retryable. */
  | 'Unavailable';

export class EventStoreError extends Error {
  override readonly name = 'EventStoreError';

  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    readonly details: { readonly streamId?: string; readonly actualVersion?: number; readonly cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get retryable(): boolean {
    switch (this.code) {
      case 'WrongExpectedVersion':
      case 'Unavailable':
        return true;
      case 'InvalidEvent':
      case 'DuplicateEventId':
      case 'TenantMismatch':
        return false;
      default: {
        const unreachable: never = this.code;
        return unreachable;
      }
    }
  }
}

export function isEventStoreError(error: unknown, code?: EventStoreErrorCode): error is EventStoreError {
  return error instanceof Error && error.name === 'EventStoreError' && (code === undefined || (error as EventStoreError).code === code);
}
