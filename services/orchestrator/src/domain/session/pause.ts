import type { PauseSession, ResumeSession } from '@agent-orchestrator/contracts';
import type { Decision } from './decision.js';
import type { SessionPolicy } from './policy.js';
import { isEnded, unreachable, type SessionState } from './state.js';
import { requestPlan, scheduleReadyWork } from './work.js';

/**
 * Pauses the session for its tenant's status. Pausing and resuming are broadcast to every session
 * of a tenant and sent again by the sweep until taken, so neither is ever an error: a session that
 * ended stays ended, and a command whose tenant status is not newer than the one the session last
 * took (late, or delivered again) changes nothing.
 */
export function pauseSession(decision: Decision, command: PauseSession, state: Exclude<SessionState, { phase: 'absent' }>): void {
  if (isEnded(state) || command.tenantStatusVersion <= state.session.tenantStatusVersion) return;
  const { paused } = state.session;
  if (paused?.reason === command.reason) return;
  decision.record('SessionPaused', { reason: command.reason, tenantStatusVersion: command.tenantStatusVersion });
}

/** Resumes a paused session and, in the same decision, requests what it held back. */
export function resumeSession(decision: Decision, command: ResumeSession, state: Exclude<SessionState, { phase: 'absent' }>, policy: SessionPolicy): void {
  if (isEnded(state) || command.tenantStatusVersion <= state.session.tenantStatusVersion || !state.session.paused) return;
  decision.record('SessionResumed', { tenantStatusVersion: command.tenantStatusVersion });
  const resumed = decision.state;
  switch (resumed.phase) {
    case 'queued':
      requestPlan(decision, 1, policy);
      return;
    case 'planning':
      // A request still unanswered goes on (its timeout counts from now); a failed one is retried.
      if (resumed.retryHeld) requestPlan(decision, resumed.planAttempt + 1, policy);
      return;
    case 'executing':
      scheduleReadyWork(decision, policy);
      return;
    case 'reviewing':
      return;
    case 'absent':
    case 'completed':
    case 'failed':
    case 'cancelled':
      throw new Error(`a resumed session cannot be ${resumed.phase}`);
    default:
      unreachable(resumed);
  }
}
