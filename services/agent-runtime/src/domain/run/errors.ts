export const runErrorCodes = ['RunNotStarted', 'RunEnded', 'TurnOutOfOrder', 'NotPaused'] as const;
export type RunErrorCode = (typeof runErrorCodes)[number];

/** A command the run cannot take in its state: a bug in the shell that sent it, never the model's fault. */
export class RunError extends Error {
  override readonly name = 'RunError';

  constructor(
    readonly code: RunErrorCode,
    message: string,
  ) {
    super(message);
  }
}
