import { isProblem } from '@agent-orchestrator/client';

/**
 * A failure in words a person can act on. The gateway's problem+json already says what was wrong
 * and what to do; 403 and 409 get the console's framing on top, since they are the two a reviewer
 * meets in the normal course of things.
 */
export function explain(failure: unknown): string {
  if (isProblem(failure)) {
    switch (failure.status) {
      case 403:
        return `You are not allowed to do this with your roles. ${failure.detail}`;
      case 409:
        return `Someone or something got there first, so nothing was changed. ${failure.detail}`;
      case 429:
        return `Too many requests for now${failure.retryAfter ? `: try again in ${failure.retryAfter} s` : ''}. ${failure.detail}`;
      default:
        return failure.detail || failure.title;
    }
  }
  if (failure instanceof TypeError) return 'The platform could not be reached. Check your connection; the console retries on its own.';
  return failure instanceof Error ? failure.message : String(failure);
}
