import {
  command,
  executingParallelPlan,
  given,
  planProposed,
  planRequested,
  planStep,
  reviewRequested,
  sessionFailed,
  started,
  stepCompleted,
  stepFailed,
  stepScheduled,
  usage,
  usageRecorded,
} from './given-when-then.js';

const executing = executingParallelPlan();

describe('running steps as their dependencies complete', () => {
  it('waits for every dependency: one of two done schedules nothing', () => {
    given(...executing)
      .when(command.stepCompleted('a'))
      .then(stepCompleted('a'));
  });

  it('schedules a step once its last dependency completes', () => {
    given(...executing, stepCompleted('a'))
      .when(command.stepCompleted('b'))
      .then(stepCompleted('b'), stepScheduled('c'));
  });

  it('asks for a review once every step has completed', () => {
    given(...executing, stepCompleted('a'), stepCompleted('b'), stepScheduled('c'))
      .when(command.stepCompleted('c'))
      .then(stepCompleted('c'), reviewRequested(1));
  });

  it('schedules every step a completion unblocks, in parallel', () => {
    const fanOut = [planStep('root'), planStep('x', ['root']), planStep('y', ['root']), planStep('z', ['root'])];
    given(started(), planRequested(), planProposed(...fanOut), stepScheduled('root'))
      .when(command.stepCompleted('root'))
      .then(stepCompleted('root'), stepScheduled('x'), stepScheduled('y'), stepScheduled('z'));
  });
});

describe('step answers that are not current', () => {
  it('ignores a completion delivered twice', () => {
    given(...executing, stepCompleted('a'))
      .when(command.stepCompleted('a'))
      .thenNothing();
  });

  it('only counts the usage of an answer for an attempt that was superseded by a retry', () => {
    given(...executing, stepFailed('a', 1, 'no answer within 600s'), stepScheduled('a', 2))
      .when(command.stepCompleted('a', 1))
      .then(usageRecorded({ kind: 'step', stepId: 'a', attempt: 1 }, usage(100, 20, 0.25)));
  });

  it('ignores a late answer once every step is under review', () => {
    given(...executing, stepCompleted('a'), stepCompleted('b'), stepScheduled('c'), stepCompleted('c'), reviewRequested())
      .when(command.stepFailed('c', 1, 'late duplicate'))
      .thenNothing();
  });

  it('refuses an answer for a step the plan does not have', () => {
    given(...executing).when(command.stepCompleted('ghost')).thenError('NotRequested', /no step "ghost"/);
  });

  it('refuses an answer for an attempt never scheduled', () => {
    given(...executing)
      .when(command.stepCompleted('a', 2))
      .thenError('NotRequested', /attempt 2 of step "a" was never scheduled/);
  });

  it('refuses an answer for a step not yet scheduled', () => {
    given(...executing)
      .when(command.stepCompleted('c', 1))
      .thenError('NotRequested', /attempt 1 of step "c" was never scheduled; the latest is 0/);
  });

  it('refuses a step answer before there is a plan', () => {
    given(started(), planRequested())
      .when(command.stepCompleted('a'))
      .thenError('NotRequested', /before the session had a plan/);
  });
});

describe('failed steps', () => {
  it('retries a retryable failure as the next attempt', () => {
    given(...executing)
      .when(command.stepFailed('a', 1, 'rate limited', true))
      .then(stepFailed('a', 1, 'rate limited', true), stepScheduled('a', 2));
  });

  it('fails the session on a failure that cannot be retried', () => {
    given(...executing, stepCompleted('b', 1, usage(40, 2, 0.01)))
      .when(command.stepFailed('a', 1, 'invoice 42 does not exist', false))
      .then(
        stepFailed('a', 1, 'invoice 42 does not exist', false),
        sessionFailed('step "a" failed and cannot be retried: invoice 42 does not exist', usage(40, 2, 0.01)),
      );
  });

  it('retries at most maxStepRetries times in a row, then fails the session', () => {
    const twice = [stepFailed('a', 1, 'rate limited'), stepScheduled('a', 2), stepFailed('a', 2, 'rate limited'), stepScheduled('a', 3)];
    given(...executing, ...twice)
      .withPolicy({ maxStepRetries: 2 })
      .when(command.stepFailed('a', 3, 'rate limited'))
      .then(stepFailed('a', 3, 'rate limited'), sessionFailed('step "a" failed 3 times in a row: rate limited', usage(0, 0, 0)));
  });

  it('never retries when the policy allows no retries', () => {
    given(...executing)
      .withPolicy({ maxStepRetries: 0 })
      .when(command.stepFailed('a', 1, 'rate limited'))
      .then(stepFailed('a', 1, 'rate limited'), sessionFailed('step "a" failed 1 time in a row: rate limited', usage(0, 0, 0)));
  });

  it('counts failures in a row: a completion starts the count again', () => {
    const sequential = [planStep('a'), planStep('b', ['a'])];
    const history = [
      started(),
      planRequested(),
      planProposed(...sequential),
      stepScheduled('a', 1),
      stepFailed('a', 1, 'flaky'),
      stepScheduled('a', 2),
      stepCompleted('a', 2),
      stepScheduled('b', 1),
    ];
    given(...history)
      .withPolicy({ maxStepRetries: 1 })
      .when(command.stepFailed('b', 1, 'flaky'))
      .then(stepFailed('b', 1, 'flaky'), stepScheduled('b', 2));
  });
});
