import { recordPlanSchema } from '@agent-orchestrator/contracts';
import {
  after,
  command,
  event,
  given,
  metadata,
  parallelPlan,
  planProposed,
  planRequested,
  planStep,
  sessionFailed,
  started,
  stepFailed,
  stepScheduled,
  usage,
} from './given-when-then.js';
import { maxPlanSteps } from './plan.js';

const planning = [started(), planRequested(1)];

describe('adopting a plan', () => {
  it('records the plan and schedules every step without dependencies at once', () => {
    const steps = parallelPlan();
    given(...planning)
      .when(command.recordPlan(steps))
      .then(planProposed(...steps), stepScheduled('a', 1), stepScheduled('b', 1));
  });

  it('schedules each step with the agent the plan names', () => {
    const steps = [planStep('lookup', [], 'Researcher'), planStep('write', ['lookup'], 'Executor')];
    given(...planning)
      .when(command.recordPlan(steps))
      .then(planProposed(...steps), event('StepScheduled', { stepId: 'lookup', agent: 'Researcher', attempt: 1 }));
  });

  it('gives steps to agents the session pinned as well as to built-in ones', () => {
    const steps = [planStep('chase', [], 'Collections')];
    given(event('SessionStarted', { goal: 'Chase overdue invoices', context: {}, constraints: {}, agentVersions: { Collections: 2 }, toolVersions: {} }), planRequested(1))
      .when(command.recordPlan(steps))
      .then(planProposed(...steps), event('StepScheduled', { stepId: 'chase', agent: 'Collections', attempt: 1 }));
  });

  it('keeps the rationale', () => {
    const steps = [planStep('a')];
    given(...planning)
      .when({ ...command.recordPlan(steps), rationale: 'One lookup is enough.' })
      .then(event('PlanProposed', { steps, rationale: 'One lookup is enough.' }), stepScheduled('a'));
  });
});

describe('refusing a plan that cannot run', () => {
  it('refuses duplicate step ids', () => {
    given(...planning)
      .when(command.recordPlan([planStep('a'), planStep('a')]))
      .thenError('InvalidPlan', /"a" appears more than once/);
  });

  it('refuses a dependency on a step the plan does not have', () => {
    given(...planning)
      .when(command.recordPlan([planStep('a'), planStep('b', ['ghost'])]))
      .thenError('InvalidPlan', /"b" depends on "ghost", which is not in the plan/);
  });

  it('refuses steps for agents the session does not have, naming them and those it has', () => {
    given(...planning)
      .when(command.recordPlan([planStep('a', [], 'Ghostwriter'), planStep('b', [], 'Executor')]))
      .thenError('InvalidPlan', /agents the session does not have: Ghostwriter \(it has Planner, Executor, Researcher, Reviewer\)/);
  });

  it('refuses a step that depends on itself', () => {
    given(...planning)
      .when(command.recordPlan([planStep('a', ['a'])]))
      .thenError('InvalidPlan', /"a" depends on itself/);
  });

  it('refuses a dependency cycle, naming it', () => {
    const steps = [planStep('start'), planStep('a', ['start', 'c']), planStep('b', ['a']), planStep('c', ['b'])];
    given(...planning)
      .when(command.recordPlan(steps))
      .thenError('InvalidPlan', /cycle \(each step depends on the next\): a -> c -> b -> a/);
  });

  it('accepts a diamond, which shares dependencies without a cycle', () => {
    const steps = [planStep('a'), planStep('b', ['a']), planStep('c', ['a']), planStep('d', ['b', 'c'])];
    given(...planning)
      .when(command.recordPlan(steps))
      .then(planProposed(...steps), stepScheduled('a'));
  });
});

describe('a plan larger than the step budget', () => {
  it('ends the session with BudgetExceeded instead of adopting the plan', () => {
    const steps = parallelPlan();
    given(started({ maxSteps: 2 }), planRequested())
      .when(command.recordPlan(steps))
      .then(
        event('BudgetExceeded', { budget: 'steps', limit: 2, used: 3 }),
        sessionFailed('budget exceeded: 3 step attempts needed, at most 2 allowed', usage(0, 0, 0)),
      );
  });

  it('adopts a plan exactly as large as the budget', () => {
    const steps = [planStep('a'), planStep('b', ['a'])];
    given(started({ maxSteps: 2 }), planRequested())
      .when(command.recordPlan(steps))
      .then(planProposed(...steps), stepScheduled('a'));
  });
});

describe('plan answers that are not current', () => {
  it('ignores a plan answering an earlier request', () => {
    given(...planning, planRequested(2))
      .when(command.recordPlan([planStep('a')], 1))
      .thenNothing();
  });

  it('ignores the same plan delivered twice', () => {
    given(...planning, planProposed(planStep('a')), stepScheduled('a'))
      .when(command.recordPlan([planStep('a')], 1))
      .thenNothing();
  });

  it('refuses a plan for a request never made', () => {
    given(...planning)
      .when(command.recordPlan([planStep('a')], 2))
      .thenError('NotRequested', /plan attempt 2 was never requested/);
  });
});

describe('the largest plan', () => {
  const steps = Array.from({ length: maxPlanSteps }, (_, i) => planStep(`s${i}`));

  it('is as large as RecordPlan allows', () => {
    expect(recordPlanSchema.safeParse(command.recordPlan(steps)).success).toBe(true);
    expect(recordPlanSchema.safeParse(command.recordPlan([...steps, planStep('one-too-many')])).success).toBe(false);
  });

  // The most events one command decides: every step of the largest plan timed out, each failed
  // and rescheduled. Specs send maxEventsPerDecision event ids, so this also checks that bound.
  it('fits the event ids a command carries even when every step times out at once', () => {
    const scheduled = steps.map((s) => stepScheduled(s.stepId));
    const decided = given(...planning, planProposed(...steps), ...scheduled)
      .when(command.checkTimeouts(after(3600)))
      .then(
        ...steps.map((s) => stepFailed(s.stepId, 1, 'no answer within 600s')),
        ...steps.map((s) => stepScheduled(s.stepId, 2)),
      );
    expect(decided).toHaveLength(metadata().eventIds.length - 2);
  });
});
