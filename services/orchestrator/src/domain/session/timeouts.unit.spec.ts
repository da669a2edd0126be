import {
  after,
  command,
  given,
  parallelPlan,
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

const plan = parallelPlan();
const minutes = (n: number) => n * 60;
const policy = { stepTimeoutMs: 600_000, planTimeoutMs: 300_000, reviewTimeoutMs: 600_000 };
const noAnswer = 'no answer within 600s';

describe('step timeouts', () => {
  const running = [started(), planRequested(), planProposed(...plan), stepScheduled('a'), stepScheduled('b', 1, after(minutes(5)))];

  it('decides nothing while every step is within its time', () => {
    given(...running)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(10) - 1)))
      .thenNothing();
  });

  it('fails a step with no answer by its timeout as retryable, and retries it', () => {
    given(...running)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(10))))
      .then(stepFailed('a', 1, noAnswer, true), stepScheduled('a', 2));
  });

  it('does not time out a step while its tool call waits for a person, and counts again from the decision', () => {
    const waiting = command.checkTimeouts(after(minutes(30)));
    given(...running)
      .withPolicy(policy)
      .when({ ...waiting, approvalHolds: [{ stepId: 'a', attempt: 1, since: null }, { stepId: 'b', attempt: 1, since: after(minutes(25)) }] })
      .thenNothing();
    given(...running)
      .withPolicy(policy)
      .when({ ...command.checkTimeouts(after(minutes(35))), approvalHolds: [{ stepId: 'a', attempt: 1, since: null }, { stepId: 'b', attempt: 1, since: after(minutes(25)) }] })
      .then(stepFailed('b', 1, noAnswer), stepScheduled('b', 2));
  });

  it('fails and retries every step that timed out, in one check', () => {
    given(...running)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(15))))
      .then(stepFailed('a', 1, noAnswer), stepFailed('b', 1, noAnswer), stepScheduled('a', 2), stepScheduled('b', 2));
  });

  it('fails the session once a step has timed out more often than it may be retried', () => {
    given(...running, stepFailed('a', 1, noAnswer), stepScheduled('a', 2, after(minutes(10))))
      .withPolicy({ ...policy, maxStepRetries: 1 })
      .when(command.checkTimeouts(after(minutes(20))))
      .then(stepFailed('a', 2, noAnswer), sessionFailed(`step "a" failed 2 times in a row: ${noAnswer}`, usage(0, 0, 0)));
  });

  it('leaves a completed step alone', () => {
    given(...running, stepCompleted('a'))
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(10))))
      .thenNothing();
  });

  it('only counts the usage of a timed-out attempt whose answer arrives afterwards', () => {
    given(...running, stepFailed('a', 1, noAnswer), stepScheduled('a', 2, after(minutes(10))))
      .when(command.stepCompleted('a', 1))
      .then(usageRecorded({ kind: 'step', stepId: 'a', attempt: 1 }, usage(100, 20, 0.25)));
  });
});

describe('plan timeouts', () => {
  it('asks the planner again when a plan request goes unanswered', () => {
    given(started(), planRequested(1))
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(5))))
      .then(planRequested(2));
  });

  it('waits while the request is within its time', () => {
    given(started(), planRequested(1))
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(5) - 1)))
      .thenNothing();
  });

  it('fails the session after maxPlanAttempts unanswered or refused requests', () => {
    given(started(), planRequested(1), planRequested(2, after(minutes(5))))
      .withPolicy({ ...policy, maxPlanAttempts: 2 })
      .when(command.checkTimeouts(after(minutes(10))))
      .then(sessionFailed('no usable plan after 2 requests of 300s each', usage(0, 0, 0)));
  });
});

describe('review timeouts', () => {
  const reviewing = [
    started(),
    planRequested(),
    planProposed(planStep('a')),
    stepScheduled('a'),
    stepCompleted('a', 1, usage(5, 5, 0.5)),
    reviewRequested(1, after(60)),
  ];

  it('fails the session when the review has no verdict in time', () => {
    given(...reviewing)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(60 + minutes(10))))
      .then(sessionFailed('review round 1 had no verdict within 600s', usage(5, 5, 0.5)));
  });

  it('waits while the review is within its time', () => {
    given(...reviewing)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(60 + minutes(10) - 1)))
      .thenNothing();
  });
});

describe('a timeout check on a session that was never started', () => {
  it('is refused', () => {
    given()
      .when(command.checkTimeouts(after(0)))
      .thenError('SessionNotFound', /never started/);
  });
});
