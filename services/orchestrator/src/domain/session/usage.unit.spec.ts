import {
  awaitingFirstReview,
  command,
  event,
  executingParallelPlan,
  given,
  parallelPlan,
  planProposed,
  planRequested,
  reviewRequested,
  sessionFailed,
  started,
  stepFailed,
  stepScheduled,
  usage,
  usageRecorded,
} from './given-when-then.js';

const planner = usage(300, 80, 0.5);

describe("a session's usage counts every run it paid for", () => {
  it('records what the planner spent before the plan it proposed', () => {
    given(started(), planRequested(1))
      .when({ ...command.recordPlan(parallelPlan()), usage: planner })
      .then(usageRecorded({ kind: 'plan', attempt: 1 }, planner), planProposed(...parallelPlan()), stepScheduled('a'), stepScheduled('b'));
  });

  it('records what a superseded planner attempt spent, and nothing else', () => {
    given(started(), planRequested(1), planRequested(2))
      .when({ ...command.recordPlan(parallelPlan(), 1), usage: planner })
      .then(usageRecorded({ kind: 'plan', attempt: 1 }, planner));
  });

  it('records what a failed planner run spent before asking again', () => {
    given(started(), planRequested(1))
      .when({ ...command.agentFailed({ kind: 'plan', attempt: 1 }, 'provider outage'), usage: planner })
      .then(usageRecorded({ kind: 'plan', attempt: 1 }, planner), planRequested(2));
  });

  it('adds the reviewer to what the session ends with', () => {
    const reviewer = usage(40, 5, 0.125);
    given(...awaitingFirstReview())
      .when({ ...command.pass(1), usage: reviewer })
      .then(
        usageRecorded({ kind: 'review', round: 1 }, reviewer),
        event('ReviewCompleted', { round: 1, verdict: 'pass', reasons: [] }),
        event('SessionCompleted', {
          result: { steps: [{ stepId: 'a', output: 'a done' }, { stepId: 'b', output: 'b done' }, { stepId: 'c', output: 'c done' }] },
          usage: usage(200, 40, 1),
        }),
      );
  });

  it('records what a failed step attempt spent with its failure', () => {
    const spent = usage(10, 2, 0.01);
    given(...executingParallelPlan())
      .when({ ...command.stepFailed('a', 1, 'tool unreachable'), result: { outcome: 'failed', reason: 'tool unreachable', retryable: true, usage: spent } })
      .then(usageRecorded({ kind: 'step', stepId: 'a', attempt: 1 }, spent), stepFailed('a', 1, 'tool unreachable'), stepScheduled('a', 2));
  });

  it('records what a step attempt spent when its answer comes after a newer attempt was scheduled', () => {
    const late = usage(70, 7, 0.07);
    given(...executingParallelPlan(), stepFailed('a', 1, 'no answer'), stepScheduled('a', 2))
      .when(command.stepCompleted('a', 1, late))
      .then(usageRecorded({ kind: 'step', stepId: 'a', attempt: 1 }, late));
  });

  it('lets planner spending cross the token budget before any step runs', () => {
    given(started({ maxTokens: 100 }), planRequested(1))
      .when({ ...command.recordPlan(parallelPlan()), usage: planner })
      .then(
        usageRecorded({ kind: 'plan', attempt: 1 }, planner),
        planProposed(...parallelPlan()),
        event('BudgetExceeded', { budget: 'tokens', limit: 100, used: 380 }),
        sessionFailed('budget exceeded: 380 tokens used, at most 100 allowed', planner),
      );
  });

  it('records nothing for a run that spent nothing', () => {
    given(started(), planRequested(1), planRequested(2))
      .when({ ...command.recordPlan(parallelPlan(), 1), usage: usage(0, 0, 0) })
      .thenNothing();
  });

  it('counts recorded usage in the usage of a cancelled session', () => {
    given(started(), planRequested(1), usageRecorded({ kind: 'plan', attempt: 1 }, planner), reviewRequested(1))
      .when(command.cancel())
      .then(event('SessionCancelled', { usage: planner }));
  });
});
