import type {
  CancelSession,
  CheckTimeouts,
  RecordAgentFailure,
  RecordPlan,
  RecordReview,
  RecordStepResult,
  SessionCommand,
  SessionEvent,
  StartSession,
  Usage,
} from '@agent-orchestrator/contracts';
import { deadlineReached } from './budget.js';
import { Decision } from './decision.js';
import { SessionError } from './errors.js';
import { forkSession } from './fork.js';
import { epochMillis } from './instant.js';
import { pauseSession, resumeSession } from './pause.js';
import { assertRunnablePlan, withDependents } from './plan.js';
import { defaultSessionPolicy, type SessionPolicy } from './policy.js';
import { isEnded, runKey, unreachable, type LiveSession, type SessionState } from './state.js';
import { failOnBudget, requestPlan, scheduleReadyWork } from './work.js';

/**
 * Decides what a command means for the session: the events to append, none when the command is
 * an answer that is no longer current, or a SessionError. Pure: time and event ids come from
 * the command's metadata, and a ForkSession's original events (`forkedFrom`) from its caller.
 */
export function decide(command: SessionCommand, state: SessionState, policy: SessionPolicy = defaultSessionPolicy, forkedFrom?: readonly SessionEvent[]): SessionEvent[] {
  const decision = new Decision(state, command.metadata);
  switch (command.type) {
    case 'ForkSession':
      forkSession(decision, command, state, forkedFrom, policy);
      break;
    case 'StartSession':
      startSession(decision, command, state, policy);
      break;
    case 'RecordPlan':
      recordPlan(decision, command, liveSession(state, command), policy);
      break;
    case 'RecordStepResult':
      recordStepResult(decision, command, liveSession(state, command), policy);
      break;
    case 'RecordReview':
      recordReview(decision, command, liveSession(state, command), policy);
      break;
    case 'RecordAgentFailure':
      recordAgentFailure(decision, command, liveSession(state, command), policy);
      break;
    case 'CheckTimeouts':
      checkTimeouts(decision, command, liveSession(state, command), policy);
      break;
    case 'CancelSession':
      cancelSession(decision, command, liveSession(state, command));
      break;
    case 'PauseSession':
      pauseSession(decision, command, startedSession(state, command));
      break;
    case 'ResumeSession':
      resumeSession(decision, command, startedSession(state, command), policy);
      break;
    default:
      unreachable(command);
  }
  return decision.events;
}

/** The session a command other than StartSession acts on: started, and the sender's. */
function startedSession(state: SessionState, command: SessionCommand): Exclude<SessionState, { phase: 'absent' }> {
  if (state.phase === 'absent') throw new SessionError('SessionNotFound', `session ${command.sessionId} was never started`);
  const tenantId = isEnded(state) ? state.tenantId : state.session.tenantId;
  if (command.metadata.tenantId !== tenantId) {
    throw new SessionError('TenantMismatch', `session ${command.sessionId} does not belong to tenant ${command.metadata.tenantId}`);
  }
  return state;
}

/** As startedSession, and not ended. */
function liveSession(state: SessionState, command: SessionCommand): LiveSession {
  const started = startedSession(state, command);
  if (isEnded(started)) throw new SessionError('SessionEnded', `session ${command.sessionId} has ${started.phase}`);
  return started;
}

function startSession(decision: Decision, command: StartSession, state: SessionState, policy: SessionPolicy): void {
  if (state.phase !== 'absent') {
    liveSession(state, command);
    throw new SessionError('SessionAlreadyStarted', `session ${command.sessionId} has already started`);
  }
  const { goal, context, constraints, agentVersions, toolVersions } = command;
  decision.record('SessionStarted', { goal, context, constraints, agentVersions, toolVersions });
  requestPlan(decision, 1, policy);
}

function recordPlan(decision: Decision, command: RecordPlan, state: LiveSession, policy: SessionPolicy): void {
  const latestAttempt = state.phase === 'queued' ? 0 : state.planAttempt;
  if (command.attempt > latestAttempt) {
    throw new SessionError('NotRequested', `plan attempt ${command.attempt} was never requested; the latest is ${latestAttempt}`);
  }
  recordSpent(decision, { kind: 'plan', attempt: command.attempt }, command.usage);
  if (state.phase !== 'planning' || command.attempt < latestAttempt) return;

  assertRunnablePlan(command.steps);
  const strangers = [...new Set(command.steps.map((step) => step.agent).filter((agent) => !state.session.agents.has(agent)))];
  if (strangers.length > 0) {
    throw new SessionError('InvalidPlan', `the plan gives steps to agents the session does not have: ${strangers.join(', ')} (it has ${[...state.session.agents].join(', ')})`);
  }
  const { maxSteps } = state.session.constraints;
  if (maxSteps !== undefined && command.steps.length > maxSteps) {
    // Every step needs at least one attempt, so this plan cannot finish within the budget.
    failOnBudget(decision, { budget: 'steps', limit: maxSteps, used: command.steps.length });
    return;
  }
  const { steps, rationale } = command;
  decision.record('PlanProposed', rationale === undefined ? { steps } : { steps, rationale });
  scheduleReadyWork(decision, policy);
}

function recordStepResult(decision: Decision, command: RecordStepResult, state: LiveSession, policy: SessionPolicy): void {
  const { stepId, attempt, result } = command;
  if (state.phase !== 'executing' && state.phase !== 'reviewing') {
    throw new SessionError('NotRequested', `step "${stepId}" answered before the session had a plan`);
  }
  const progress = state.steps.find((s) => s.step.stepId === stepId);
  if (!progress) throw new SessionError('NotRequested', `the plan has no step "${stepId}"`);
  if (attempt > progress.attempt) {
    throw new SessionError('NotRequested', `attempt ${attempt} of step "${stepId}" was never scheduled; the latest is ${progress.attempt}`);
  }
  const current = state.phase === 'executing' && progress.status === 'scheduled' && attempt === progress.attempt;
  // A current completion carries its usage on StepCompleted; anything else records it on its own.
  if (!current || result.outcome === 'failed') recordSpent(decision, { kind: 'step', stepId, attempt }, result.usage);
  if (!current) return;

  switch (result.outcome) {
    case 'completed':
      decision.record('StepCompleted', { stepId, attempt, output: result.output, usage: result.usage });
      break;
    case 'failed':
      decision.record('StepFailed', { stepId, attempt, reason: result.reason, retryable: result.retryable });
      if (failureEndsSession(decision, stepId, result, policy)) return;
      break;
    default:
      unreachable(result);
  }
  scheduleReadyWork(decision, policy);
}

function recordReview(decision: Decision, command: RecordReview, state: LiveSession, policy: SessionPolicy): void {
  const { round, review } = command;
  const latestRound = state.phase === 'executing' || state.phase === 'reviewing' ? state.reviewRound : 0;
  if (round > latestRound) throw new SessionError('NotRequested', `review round ${round} was never requested; the latest is ${latestRound}`);
  if (state.phase !== 'reviewing' || round < latestRound) {
    recordSpent(decision, { kind: 'review', round }, command.usage);
    return;
  }

  const unknown = review.verdict === 'rework' ? (review.stepIds ?? []).filter((id) => !state.steps.some((s) => s.step.stepId === id)) : [];
  if (unknown.length > 0) throw new SessionError('InvalidReview', `rework names steps the plan does not have: ${unknown.join(', ')}`);

  recordSpent(decision, { kind: 'review', round }, command.usage);
  decision.record('ReviewCompleted', { round, verdict: review.verdict, reasons: review.reasons });
  switch (review.verdict) {
    case 'pass': {
      const result = { steps: state.steps.map(({ step, output }) => ({ stepId: step.stepId, output })) };
      decision.record('SessionCompleted', { result, usage: decision.session.usage });
      break;
    }
    case 'rework': {
      if (state.reworks >= policy.maxReworks) {
        decision.fail(`review round ${round} asked for a rework beyond the ${policy.maxReworks} allowed: ${review.reasons.join('; ')}`);
        return;
      }
      const named = review.stepIds ?? state.steps.map((s) => s.step.stepId);
      decision.record('ReworkRequested', { round, reasons: review.reasons, stepIds: withDependents(state.steps, named) });
      scheduleReadyWork(decision, policy);
      break;
    }
    default:
      unreachable(review);
  }
}

function recordAgentFailure(decision: Decision, command: RecordAgentFailure, state: LiveSession, policy: SessionPolicy): void {
  const { task, reason, retryable } = command;
  switch (task.kind) {
    case 'plan': {
      const latestAttempt = state.phase === 'queued' ? 0 : state.planAttempt;
      if (task.attempt > latestAttempt) {
        throw new SessionError('NotRequested', `plan attempt ${task.attempt} was never requested; the latest is ${latestAttempt}`);
      }
      recordSpent(decision, task, command.usage);
      if (state.phase !== 'planning' || task.attempt < latestAttempt) return;
      if (!retryable || state.planAttempt >= policy.maxPlanAttempts) decision.fail(`the planner gave no plan (attempt ${task.attempt}): ${reason}`);
      else if (state.session.paused) decision.record('PlanRetryHeld', { attempt: task.attempt, reason });
      else requestPlan(decision, state.planAttempt + 1, policy);
      return;
    }
    case 'review': {
      const latestRound = state.phase === 'executing' || state.phase === 'reviewing' ? state.reviewRound : 0;
      if (task.round > latestRound) throw new SessionError('NotRequested', `review round ${task.round} was never requested; the latest is ${latestRound}`);
      recordSpent(decision, task, command.usage);
      if (state.phase !== 'reviewing' || task.round < latestRound) return;
      decision.fail(`the reviewer gave no verdict (round ${task.round}): ${reason}`);
      return;
    }
    default:
      unreachable(task);
  }
}

/**
 * Times out what waited too long. A paused session's clock stands still (its deadline too: a
 * crossed deadline fails it when it resumes and asks for work), and what was outstanding when it
 * resumed counts from the resumption.
 */
function checkTimeouts(decision: Decision, command: CheckTimeouts, state: LiveSession, policy: SessionPolicy): void {
  if (state.session.paused) return;
  const now = epochMillis(command.metadata.now);
  const { resumedAt } = state.session;
  const waited = (...since: (string | null)[]) => now - Math.max(...since.map((instant) => (instant === null ? -Infinity : epochMillis(instant))));
  const deadline = deadlineReached(state.session, command.metadata.now);
  if (deadline) {
    failOnBudget(decision, deadline);
    return;
  }
  switch (state.phase) {
    case 'queued':
      return;
    case 'planning':
      if (waited(state.planRequestedAt, resumedAt) < policy.planTimeoutMs) return;
      if (state.planAttempt >= policy.maxPlanAttempts) {
        decision.fail(`no usable plan after ${state.planAttempt} requests of ${seconds(policy.planTimeoutMs)} each`);
        return;
      }
      requestPlan(decision, state.planAttempt + 1, policy);
      return;
    case 'executing':
      for (const { step, status, attempt, scheduledAt } of state.steps) {
        if (status !== 'scheduled' || scheduledAt === null) continue;
        const hold = command.approvalHolds?.find((candidate) => candidate.stepId === step.stepId && candidate.attempt === attempt);
        if (hold?.since === null) continue; // waiting for a person
        if (waited(scheduledAt, hold?.since ?? null, resumedAt) < policy.stepTimeoutMs) continue;
        const failure = { reason: `no answer within ${seconds(policy.stepTimeoutMs)}`, retryable: true };
        decision.record('StepFailed', { stepId: step.stepId, attempt, ...failure });
        if (failureEndsSession(decision, step.stepId, failure, policy)) return;
      }
      scheduleReadyWork(decision, policy);
      return;
    case 'reviewing':
      if (waited(state.reviewRequestedAt, resumedAt) < policy.reviewTimeoutMs) return;
      decision.fail(`review round ${state.reviewRound} had no verdict within ${seconds(policy.reviewTimeoutMs)}`);
      return;
    default:
      unreachable(state);
  }
}

function cancelSession(decision: Decision, command: CancelSession, state: LiveSession): void {
  const usage = state.session.usage;
  decision.record('SessionCancelled', command.reason === undefined ? { usage } : { reason: command.reason, usage });
}

/**
 * Records what a run spent that no other event carries, first in the decision, so the budget
 * checks after it see it; once per run, however often its answer is delivered.
 */
function recordSpent(decision: Decision, task: Extract<SessionEvent, { type: 'UsageRecorded' }>['data']['task'], usage: Usage | undefined): void {
  if (usage === undefined || usage.inputTokens + usage.outputTokens + usage.costUsd === 0) return;
  if (decision.session.accounted.has(runKey(task))) return;
  decision.record('UsageRecorded', { task, usage });
}

/** After a StepFailed: ends the session when the step may not run again, and says so. */
function failureEndsSession(
  decision: Decision,
  stepId: string,
  failure: { readonly reason: string; readonly retryable: boolean },
  policy: SessionPolicy,
): boolean {
  const state = decision.state;
  const failures = state.phase === 'executing' ? (state.steps.find((s) => s.step.stepId === stepId)?.consecutiveFailures ?? 0) : 0;
  if (!failure.retryable) {
    decision.fail(`step "${stepId}" failed and cannot be retried: ${failure.reason}`);
    return true;
  }
  if (failures > policy.maxStepRetries) {
    decision.fail(`step "${stepId}" failed ${failures} ${failures === 1 ? 'time' : 'times'} in a row: ${failure.reason}`);
    return true;
  }
  return false;
}

const seconds = (ms: number): string => `${ms / 1000}s`;
