import type { PlanStep, SessionConstraints, SessionPauseReason, SessionStatus, Usage } from '@agent-orchestrator/contracts';

/**
 * One step of the adopted plan. `attempt` is the latest scheduled attempt (0 before the first);
 * only an answer for that attempt, while the step is `scheduled`, moves the step on.
 */
export interface StepProgress {
  readonly step: PlanStep;
  readonly status: 'pending' | 'scheduled' | 'completed' | 'failed';
  readonly attempt: number;
  /** When the current attempt was scheduled; what step timeouts count from. */
  readonly scheduledAt: string | null;
  /** Failures since the step last completed or was sent back for rework. */
  readonly consecutiveFailures: number;
  readonly output: unknown;
}

/** What every live session knows, whatever its phase. */
export interface SessionFacts {
  readonly tenantId: string;
  readonly goal: string;
  readonly constraints: SessionConstraints;
  /** Summed over every run the session paid for: StepCompleted and UsageRecorded. */
  readonly usage: Usage;
  /** Every StepScheduled so far, retries and reworks included: what `maxSteps` limits. */
  readonly scheduledAttempts: number;
  /** The agents a plan may give steps to: the built-in ones and those the session pinned. */
  readonly agents: ReadonlySet<string>;
  /** The runs (see `runKey`) whose usage is already in `usage`, so an answer delivered twice counts once. */
  readonly accounted: ReadonlySet<string>;
  /** Set while the session may schedule no work and its timeouts stand still. */
  readonly paused: { readonly reason: SessionPauseReason; readonly since: string } | null;
  /** When it was last resumed: what was outstanding then counts its timeout from here. */
  readonly resumedAt: string | null;
  /** The admin stream version of the latest pause or resumption taken; -1 before any. */
  readonly tenantStatusVersion: number;
}

/** Names one run of the session: a planner attempt, a step attempt or a review round. */
export function runKey(task: { kind: 'plan'; attempt: number } | { kind: 'step'; stepId: string; attempt: number } | { kind: 'review'; round: number }): string {
  switch (task.kind) {
    case 'plan':
      return `plan/${task.attempt}`;
    case 'step':
      return `step/${task.stepId}/${task.attempt}`;
    case 'review':
      return `review/${task.round}`;
  }
}

interface Execution {
  readonly session: SessionFacts;
  readonly planAttempt: number;
  /** In plan order. */
  readonly steps: readonly StepProgress[];
  /** The latest review round requested; 0 before the first review. */
  readonly reviewRound: number;
  readonly reworks: number;
}

export type SessionState =
  | { readonly phase: 'absent' }
  /** Started, no plan requested yet. */
  | { readonly phase: 'queued'; readonly session: SessionFacts }
  /** `retryHeld`: the latest attempt failed while paused; the next one is requested on resume. */
  | { readonly phase: 'planning'; readonly session: SessionFacts; readonly planAttempt: number; readonly planRequestedAt: string; readonly retryHeld: boolean }
  | ({ readonly phase: 'executing' } & Execution)
  | ({ readonly phase: 'reviewing'; readonly reviewRequestedAt: string } & Execution)
  | { readonly phase: 'completed' | 'failed' | 'cancelled'; readonly tenantId: string; readonly usage: Usage };

export type LiveSession = Extract<SessionState, { session: SessionFacts }>;
export type ExecutingSession = Extract<SessionState, { phase: 'executing' }>;
export type EndedSession = Extract<SessionState, { phase: 'completed' | 'failed' | 'cancelled' }>;

export const initialState = (): SessionState => ({ phase: 'absent' });

export const noUsage: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

/**
 * The statuses clients see. The session stream never says `awaiting_approval`: approvals live on
 * `approval-<id>` streams, and the read model that joins them overlays that status on `running`.
 */

export function sessionStatus(state: SessionState): SessionStatus | null {
  switch (state.phase) {
    case 'absent':
      return null;
    case 'queued':
      return state.session.paused ? 'paused' : 'queued';
    case 'planning':
    case 'executing':
    case 'reviewing':
      return state.session.paused ? 'paused' : 'running';
    case 'completed':
    case 'failed':
    case 'cancelled':
      return state.phase;
    default:
      return unreachable(state);
  }
}

export function isEnded(state: SessionState): state is EndedSession {
  return state.phase === 'completed' || state.phase === 'failed' || state.phase === 'cancelled';
}

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
