import { builtInAgentNames, type SessionEvent, type Usage } from '@agent-orchestrator/contracts';
import { noUsage, runKey, unreachable, type SessionFacts, type SessionState, type StepProgress } from './state.js';

/**
 * Folds one event into the state. Events come from the log, so evolve never refuses one: an
 * event that does not fit the phase (which decide never produces) leaves the state as it is.
 */
export function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'SessionStarted': {
      if (state.phase !== 'absent') return state;
      const { goal, constraints, agentVersions } = event.data;
      const agents = new Set([...builtInAgentNames, ...Object.keys(agentVersions)]);
      return {
        phase: 'queued',
        session: { tenantId: event.tenantId, goal, constraints, agents, usage: noUsage, scheduledAttempts: 0, accounted: new Set(), paused: null, resumedAt: null, tenantStatusVersion: -1 },
      };
    }
    case 'PlanRequested':
      if (state.phase !== 'queued' && state.phase !== 'planning') return state;
      return { phase: 'planning', session: state.session, planAttempt: event.data.attempt, planRequestedAt: event.occurredAt, retryHeld: false };
    case 'PlanProposed':
      if (state.phase !== 'planning') return state;
      return {
        phase: 'executing',
        session: state.session,
        planAttempt: state.planAttempt,
        steps: event.data.steps.map((step) => ({
          step,
          status: 'pending',
          attempt: 0,
          scheduledAt: null,
          consecutiveFailures: 0,
          output: undefined,
        })),
        reviewRound: 0,
        reworks: 0,
      };
    case 'StepScheduled': {
      if (state.phase !== 'executing') return state;
      const session = { ...state.session, scheduledAttempts: state.session.scheduledAttempts + 1 };
      const steps = updateStep(state.steps, event.data.stepId, (s) => ({
        ...s,
        status: 'scheduled',
        attempt: event.data.attempt,
        scheduledAt: event.occurredAt,
      }));
      return { ...state, session, steps };
    }
    case 'StepCompleted': {
      if (state.phase !== 'executing') return state;
      const { stepId, attempt } = event.data;
      const session = spent(state.session, runKey({ kind: 'step', stepId, attempt }), event.data.usage);
      const steps = updateStep(state.steps, event.data.stepId, (s) => ({
        ...s,
        status: 'completed',
        consecutiveFailures: 0,
        output: event.data.output,
      }));
      return { ...state, session, steps };
    }
    case 'StepFailed':
      if (state.phase !== 'executing') return state;
      return {
        ...state,
        steps: updateStep(state.steps, event.data.stepId, (s) => ({ ...s, status: 'failed', consecutiveFailures: s.consecutiveFailures + 1 })),
      };
    case 'ReviewRequested':
      if (state.phase !== 'executing') return state;
      return { ...state, phase: 'reviewing', reviewRound: event.data.round, reviewRequestedAt: event.occurredAt };
    case 'ReworkRequested': {
      if (state.phase !== 'reviewing') return state;
      const { reviewRequestedAt: _answered, ...execution } = state;
      const redo = new Set(event.data.stepIds);
      const steps = state.steps.map(
        (s): StepProgress => (redo.has(s.step.stepId) ? { ...s, status: 'pending', consecutiveFailures: 0, output: undefined } : s),
      );
      return { ...execution, phase: 'executing', steps, reworks: state.reworks + 1 };
    }
    case 'SessionCompleted':
    case 'SessionFailed':
    case 'SessionCancelled': {
      if (!('session' in state)) return state;
      const phase = event.type === 'SessionCompleted' ? 'completed' : event.type === 'SessionFailed' ? 'failed' : 'cancelled';
      return { phase, tenantId: state.session.tenantId, usage: event.data.usage };
    }
    case 'UsageRecorded':
      if (!('session' in state)) return state;
      return { ...state, session: spent(state.session, runKey(event.data.task), event.data.usage) };
    case 'SessionPaused': {
      if (!('session' in state)) return state;
      const { reason, tenantStatusVersion } = event.data;
      return { ...state, session: { ...state.session, paused: { reason, since: event.occurredAt }, tenantStatusVersion } };
    }
    case 'SessionResumed':
      if (!('session' in state)) return state;
      return { ...state, session: { ...state.session, paused: null, resumedAt: event.occurredAt, tenantStatusVersion: event.data.tenantStatusVersion } };
    case 'PlanRetryHeld':
      if (state.phase !== 'planning') return state;
      return { ...state, retryHeld: true };
    // A fork's state is that of the events it copied; the requests after SessionForked move it on.
    case 'SessionForked':
      return state;
    // A verdict and a crossed budget change nothing by themselves: the events decided with them
    // (SessionCompleted, ReworkRequested, SessionFailed) do.
    case 'ReviewCompleted':
    case 'BudgetExceeded':
      return state;
    default:
      return unreachable(event);
  }
}

function spent(session: SessionFacts, run: string, usage: Usage): SessionFacts {
  return { ...session, usage: addUsage(session.usage, usage), accounted: new Set(session.accounted).add(run) };
}

function updateStep(steps: readonly StepProgress[], stepId: string, update: (step: StepProgress) => StepProgress): StepProgress[] {
  return steps.map((s) => (s.step.stepId === stepId ? update(s) : s));
}

/** Costs are summed in whole micro-dollars so that sums do not drift (0.1 + 0.2). */
function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: Math.round((a.costUsd + b.costUsd) * 1e6) / 1e6,
  };
}
