import type { ForkSession, SessionEvent } from '@agent-orchestrator/contracts';
import type { Decision } from './decision.js';
import { SessionError } from './errors.js';
import type { SessionPolicy } from './policy.js';
import { isEnded, unreachable, type SessionState } from './state.js';
import { requestPlan, scheduleReadyWork } from './work.js';

/**
 * Starts a fork: the original's session events up to `from.version` (read by the caller, an
 * input like the time) become the fork's own, in order, then SessionForked, then what was in
 * flight at that version is requested again: the requests among the copies were answered in the
 * original, and the agents act on this session's requests only from SessionForked on.
 */
export function forkSession(decision: Decision, command: ForkSession, state: SessionState, original: readonly SessionEvent[] | undefined, policy: SessionPolicy): void {
  if (state.phase !== 'absent') throw new SessionError('SessionAlreadyStarted', `session ${command.sessionId} has already started`);
  const { from, overrides } = command;
  if (original === undefined || original[0]?.type !== 'SessionStarted') {
    throw new SessionError('InvalidCommand', `a fork copies the session events of ${from.sessionId} up to version ${from.version}, starting with SessionStarted; read: ${original?.[0]?.type ?? 'none'}`);
  }
  if (original.some((event) => event.tenantId !== command.metadata.tenantId)) {
    throw new SessionError('TenantMismatch', `session ${from.sessionId} does not belong to tenant ${command.metadata.tenantId}`);
  }
  for (const event of original) decision.copy(event);
  if (isEnded(decision.state)) {
    throw new SessionError('InvalidCommand', `session ${from.sessionId} had ${decision.state.phase} by version ${from.version}: fork it at a version before it ended`);
  }
  decision.record('SessionForked', { from, overrides });
  requestInFlight(decision, policy);
}

/**
 * Asks again for the plan, steps or review the original was waiting for at the fork, with the
 * same attempt and round numbers: in this session they were never answered. A paused fork asks
 * for nothing; resuming derives the work from its state, as for any session.
 */
function requestInFlight(decision: Decision, policy: SessionPolicy): void {
  const state = decision.state;
  if (!('session' in state) || state.session.paused) return;
  switch (state.phase) {
    case 'queued':
      requestPlan(decision, 1, policy);
      return;
    case 'planning':
      requestPlan(decision, state.planAttempt, policy);
      return;
    case 'executing':
      for (const { step, status, attempt } of state.steps) {
        if (status === 'scheduled') decision.record('StepScheduled', { stepId: step.stepId, agent: step.agent, attempt });
      }
      // The fork may cut a decision in two (a step completed, its dependents not yet scheduled).
      scheduleReadyWork(decision, policy);
      return;
    case 'reviewing':
      decision.record('ReviewRequested', { round: state.reviewRound, reviewer: policy.reviewer });
      return;
    default:
      unreachable(state);
  }
}
