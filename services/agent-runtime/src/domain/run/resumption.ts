import { unreachable, type RunState } from './state.js';

/**
 * Whether a run goes on now: a run not started or ended does not; a paused run goes on once
 * every call of its pause has an answer (the last answer to arrive resumes it); a run started and
 * not paused goes on asking its model.
 */
export function resumption(state: RunState, answered: (callId: string) => boolean): 'not-started' | 'ended' | 'waiting' | 'go-on' {
  switch (state.phase) {
    case 'absent':
      return 'not-started';
    case 'ended':
      return 'ended';
    case 'running':
      return state.pause === undefined || state.pause.pendingCalls.every((call) => answered(call.callId)) ? 'go-on' : 'waiting';
    default:
      return unreachable(state);
  }
}

/** The turn a run asks its model for next: its first after the last pause, or 0. */
export const firstTurnOf = (state: RunState): number => (state.phase === 'running' ? (state.pause?.turnsBefore ?? 0) : 0);
