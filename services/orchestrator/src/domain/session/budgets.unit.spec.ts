import {
  after,
  command,
  event,
  executingParallelPlan,
  given,
  reviewRequested,
  sessionFailed,
  stepCompleted,
  stepFailed,
  stepScheduled,
  usage,
} from './given-when-then.js';

const running = executingParallelPlan;
const budgetExceeded = (budget: 'steps' | 'tokens' | 'costUsd' | 'deadline', limit: number | string, used: number | string) =>
  event('BudgetExceeded', { budget, limit, used });

describe('the step budget', () => {
  it('counts every scheduled attempt, retries included', () => {
    given(...running({ maxSteps: 3 }), stepFailed('a', 1, 'rate limited'), stepScheduled('a', 2), stepCompleted('a', 2, usage(1, 1, 0)))
      .when(command.stepCompleted('b', 1, usage(1, 1, 0)))
      .then(
        stepCompleted('b', 1, usage(1, 1, 0)),
        budgetExceeded('steps', 3, 4),
        sessionFailed('budget exceeded: 4 step attempts needed, at most 3 allowed', usage(2, 2, 0)),
      );
  });

  it('stops a retry that would go past it', () => {
    given(...running({ maxSteps: 3 }))
      .when(command.stepFailed('a', 1, 'rate limited'))
      .then(stepFailed('a', 1, 'rate limited'), stepScheduled('a', 2));
    given(...running({ maxSteps: 3 }), stepFailed('a', 1, 'rate limited'), stepScheduled('a', 2))
      .when(command.stepFailed('a', 2, 'rate limited'))
      .then(
        stepFailed('a', 2, 'rate limited'),
        budgetExceeded('steps', 3, 4),
        sessionFailed('budget exceeded: 4 step attempts needed, at most 3 allowed', usage(0, 0, 0)),
      );
  });

  it('lets a session use it exactly', () => {
    given(...running({ maxSteps: 3 }), stepCompleted('a'))
      .when(command.stepCompleted('b'))
      .then(stepCompleted('b'), stepScheduled('c'));
  });
});

describe('the token and cost budgets', () => {
  it('ends the session before scheduling once summed tokens are above maxTokens', () => {
    given(...running({ maxTokens: 1000 }), stepCompleted('a', 1, usage(600, 300, 0)))
      .when(command.stepCompleted('b', 1, usage(80, 40, 0)))
      .then(
        stepCompleted('b', 1, usage(80, 40, 0)),
        budgetExceeded('tokens', 1000, 1020),
        sessionFailed('budget exceeded: 1020 tokens used, at most 1000 allowed', usage(680, 340, 0)),
      );
  });

  it('treats a limit as an allowance: using it exactly is fine', () => {
    given(...running({ maxTokens: 1000 }), stepCompleted('a', 1, usage(600, 300, 0)))
      .when(command.stepCompleted('b', 1, usage(80, 20, 0)))
      .then(stepCompleted('b', 1, usage(80, 20, 0)), stepScheduled('c'));
  });

  it('ends the session before scheduling once summed cost is above maxCostUsd', () => {
    given(...running({ maxCostUsd: 1 }), stepCompleted('a', 1, usage(1, 1, 0.75)))
      .when(command.stepCompleted('b', 1, usage(1, 1, 0.5)))
      .then(
        stepCompleted('b', 1, usage(1, 1, 0.5)),
        budgetExceeded('costUsd', 1, 1.25),
        sessionFailed('budget exceeded: 1.25 USD spent, at most 1 allowed', usage(2, 2, 1.25)),
      );
  });

  it('is checked before the review too, which also costs tokens', () => {
    given(...running({ maxCostUsd: 1 }), stepCompleted('a', 1, usage(1, 1, 0.5)), stepCompleted('b', 1, usage(1, 1, 0.5)), stepScheduled('c'))
      .when(command.stepCompleted('c', 1, usage(1, 1, 0.1)))
      .then(
        stepCompleted('c', 1, usage(1, 1, 0.1)),
        budgetExceeded('costUsd', 1, 1.1),
        sessionFailed('budget exceeded: 1.1 USD spent, at most 1 allowed', usage(3, 3, 1.1)),
      );
  });

  it('does not end a session while nothing new is to be scheduled', () => {
    given(...running({ maxTokens: 10 }))
      .when(command.stepCompleted('a', 1, usage(600, 300, 0)))
      .then(stepCompleted('a', 1, usage(600, 300, 0)));
  });
});

describe('the deadline', () => {
  it('ends the session when work is to be scheduled at or after it', () => {
    given(...running({ deadline: after(10) }), stepCompleted('a'))
      .when(command.stepCompleted('b'))
      .then(
        stepCompleted('b'),
        budgetExceeded('deadline', after(10), after(10)),
        sessionFailed(`budget exceeded: deadline ${after(10)} reached at ${after(10)}`, usage(200, 40, 0.5)),
      );
  });

  it('ends the session on a timeout check, even while steps are still running', () => {
    given(...running({ deadline: after(60) }))
      .when(command.checkTimeouts(after(61)))
      .then(
        budgetExceeded('deadline', after(60), after(61)),
        sessionFailed(`budget exceeded: deadline ${after(60)} reached at ${after(61)}`, usage(0, 0, 0)),
      );
  });

  it('compares instants, not strings', () => {
    given(...running({ deadline: '2026-11-22T09:01:00Z' }))
      .when(command.checkTimeouts('2026-11-22T09:00:59.999Z'))
      .thenNothing();
  });
});

describe('budgets at review', () => {
  const reviewing = (constraints = {}) => [
    ...running(constraints),
    stepCompleted('a'),
    stepCompleted('b'),
    stepScheduled('c'),
    stepCompleted('c'),
    reviewRequested(),
  ];

  it('are not checked on a passing verdict: completing asks no agent for anything', () => {
    const result = { steps: ['a', 'b', 'c'].map((stepId) => ({ stepId, output: `${stepId} done` })) };
    given(...reviewing({ deadline: after(5) }))
      .when(command.pass(1))
      .then(
        event('ReviewCompleted', { round: 1, verdict: 'pass', reasons: [] }),
        event('SessionCompleted', { result, usage: usage(300, 60, 0.75) }),
      );
  });

  it('are checked before rescheduling reworked steps', () => {
    given(...reviewing({ maxSteps: 3 }))
      .when(command.rework(1, ['too long'], ['c']))
      .then(
        event('ReviewCompleted', { round: 1, verdict: 'rework', reasons: ['too long'] }),
        event('ReworkRequested', { round: 1, reasons: ['too long'], stepIds: ['c'] }),
        budgetExceeded('steps', 3, 4),
        sessionFailed('budget exceeded: 4 step attempts needed, at most 3 allowed', usage(300, 60, 0.75)),
      );
  });
});
