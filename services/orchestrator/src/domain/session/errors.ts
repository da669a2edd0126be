/**
 * Why the session refused a command. Adapters map codes to HTTP or to retry vs dead-letter;
 * compare `code`, never the class.
 *
 * - SessionNotFound: the command needs a started session and there is none.
 * - SessionAlreadyStarted: StartSession on a session that is running.
 * - SessionEnded: any command on a completed, failed or cancelled session.
 * - TenantMismatch: the command's tenant is not the session's.
 * - InvalidPlan: duplicate step ids, unknown or self dependencies, or a dependency cycle.
 * - InvalidReview: a rework naming a step the plan does not have.
 * - NotRequested: an answer to something the session never asked for (an unknown step, an attempt,
 *   plan attempt or review round that was never requested). Answers to requests that are no
 *   longer current are not errors: they decide nothing.
 * - InvalidCommand: metadata the decider cannot use (a malformed `now`, too few event ids).
 */
export const sessionErrorCodes = [
  'SessionNotFound',
  'SessionAlreadyStarted',
  'SessionEnded',
  'TenantMismatch',
  'InvalidPlan',
  'InvalidReview',
  'NotRequested',
  'InvalidCommand',
] as const;
export type SessionErrorCode = (typeof sessionErrorCodes)[number];

export class SessionError extends Error {
  override readonly name = 'SessionError';

  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
