import type { PlanStep } from '@agent-orchestrator/contracts';
import { SessionError } from './errors.js';
import type { StepProgress } from './state.js';

/** PlanProposed (and so RecordPlan) allows at most this many steps. */
export const maxPlanSteps = 200;

/** Refuses a plan that could never run to completion as written. */
export function assertRunnablePlan(steps: readonly PlanStep[]): void {
  const ids = new Set<string>();
  for (const { stepId } of steps) {
    if (ids.has(stepId)) throw new SessionError('InvalidPlan', `step id "${stepId}" appears more than once`);
    ids.add(stepId);
  }
  for (const { stepId, dependsOn } of steps) {
    for (const dependency of dependsOn) {
      if (dependency === stepId) throw new SessionError('InvalidPlan', `step "${stepId}" depends on itself`);
      if (!ids.has(dependency)) throw new SessionError('InvalidPlan', `step "${stepId}" depends on "${dependency}", which is not in the plan`);
    }
  }
  const cycle = findCycle(steps);
  if (cycle) throw new SessionError('InvalidPlan', `dependency cycle (each step depends on the next): ${cycle.join(' -> ')}`);
}

/** A dependency cycle as a path that starts and ends on the same step, or null. */
function findCycle(steps: readonly PlanStep[]): string[] | null {
  const dependsOn = new Map(steps.map((s) => [s.stepId, s.dependsOn]));
  const done = new Set<string>();
  const path: string[] = [];

  const visit = (stepId: string): string[] | null => {
    const onPath = path.indexOf(stepId);
    if (onPath >= 0) return [...path.slice(onPath), stepId];
    if (done.has(stepId)) return null;
    path.push(stepId);
    for (const dependency of dependsOn.get(stepId) ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(stepId);
    return null;
  };

  for (const { stepId } of steps) {
    const cycle = visit(stepId);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Steps that may be scheduled now: not running and not done, with every dependency completed. A
 * failed step is here too; whether it may run again is the failure policy's call, made before.
 */
export function readySteps(steps: readonly StepProgress[]): StepProgress[] {
  const completed = new Set(steps.filter((s) => s.status === 'completed').map((s) => s.step.stepId));
  return steps.filter(
    (s) => (s.status === 'pending' || s.status === 'failed') && s.step.dependsOn.every((dependency) => completed.has(dependency)),
  );
}

/**
 * The named steps and every step downstream of them, in plan order: a step built on a reworked
 * output has to be redone as well.
 */
export function withDependents(steps: readonly StepProgress[], stepIds: readonly string[]): string[] {
  const redo = new Set(stepIds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const { step } of steps) {
      if (!redo.has(step.stepId) && step.dependsOn.some((dependency) => redo.has(dependency))) {
        redo.add(step.stepId);
        grew = true;
      }
    }
  }
  return steps.map((s) => s.step.stepId).filter((stepId) => redo.has(stepId));
}
