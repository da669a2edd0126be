import { crossedBudget, describeOverrun, type BudgetOverrun } from './budget.js';
import type { Decision } from './decision.js';
import { readySteps } from './plan.js';
import type { SessionPolicy } from './policy.js';

/*
 * Requests for work: a plan, steps, a review. A paused session requests none of them; what it
 * would have requested is derived again from its state when it resumes (see pause.ts).
 */

/** Schedules every step whose dependencies have completed; once all steps have, asks for a review. */
export function scheduleReadyWork(decision: Decision, policy: SessionPolicy): void {
  const state = decision.state;
  if (state.phase !== 'executing' || state.session.paused) return;
  const ready = readySteps(state.steps);
  if (ready.length === 0) {
    if (state.steps.every((s) => s.status === 'completed')) requestReview(decision, state.reviewRound + 1, policy);
    return;
  }
  const overrun = crossedBudget(state.session, decision.now, ready.length);
  if (overrun) {
    failOnBudget(decision, overrun);
    return;
  }
  for (const { step, attempt } of ready) decision.record('StepScheduled', { stepId: step.stepId, agent: step.agent, attempt: attempt + 1 });
}

export function requestPlan(decision: Decision, attempt: number, policy: SessionPolicy): void {
  const overrun = crossedBudget(decision.session, decision.now, 0);
  if (overrun) failOnBudget(decision, overrun);
  else decision.record('PlanRequested', { planner: policy.planner, attempt });
}

function requestReview(decision: Decision, round: number, policy: SessionPolicy): void {
  const overrun = crossedBudget(decision.session, decision.now, 0);
  if (overrun) failOnBudget(decision, overrun);
  else decision.record('ReviewRequested', { round, reviewer: policy.reviewer });
}

export function failOnBudget(decision: Decision, overrun: BudgetOverrun): void {
  decision.record('BudgetExceeded', overrun);
  decision.fail(describeOverrun(overrun));
}
