import type { BudgetOverrun } from '@agent-orchestrator/contracts';
import { epochMillis } from './instant.js';
import type { SessionFacts } from './state.js';

export { describeOverrun, type BudgetOverrun } from '@agent-orchestrator/contracts';

/**
 * The first budget that rules out the work about to be requested, or null. Checked before any
 * agent is asked for anything; `stepsToSchedule` is 0 when the work is a plan or a review.
 *
 * - deadline: reached once `now` is at or past it.
 * - tokens, costUsd: crossed once the summed usage is above the limit (a limit is an allowance).
 * - steps: crossed if scheduling would take the attempts past `maxSteps`. `used` then says how
 *   many attempts the session would have reached. A batch is all or nothing: every ready step
 *   must run for the session to finish, so scheduling part of it would only spend budget.
 */
export function crossedBudget(session: SessionFacts, now: string, stepsToSchedule: number): BudgetOverrun | null {
  const deadline = deadlineReached(session, now);
  if (deadline) return deadline;
  const { constraints, usage } = session;
  const tokens = usage.inputTokens + usage.outputTokens;
  if (constraints.maxTokens !== undefined && tokens > constraints.maxTokens) {
    return { budget: 'tokens', limit: constraints.maxTokens, used: tokens };
  }
  if (constraints.maxCostUsd !== undefined && usage.costUsd > constraints.maxCostUsd) {
    return { budget: 'costUsd', limit: constraints.maxCostUsd, used: usage.costUsd };
  }
  const attempts = session.scheduledAttempts + stepsToSchedule;
  if (constraints.maxSteps !== undefined && stepsToSchedule > 0 && attempts > constraints.maxSteps) {
    return { budget: 'steps', limit: constraints.maxSteps, used: attempts };
  }
  return null;
}

export function deadlineReached({ constraints }: SessionFacts, now: string): BudgetOverrun | null {
  if (constraints.deadline === undefined || epochMillis(now) < epochMillis(constraints.deadline)) return null;
  return { budget: 'deadline', limit: constraints.deadline, used: now };
}

