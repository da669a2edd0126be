import { awaitingFirstReview, command, given, planRequested, sessionFailed, started, usage } from './given-when-then.js';

const noUsage = usage(0, 0, 0);

describe('a planner run that gave no plan', () => {
  it('asks for another plan when the failure is retryable and attempts remain', () => {
    given(started(), planRequested(1)).when(command.agentFailed({ kind: 'plan', attempt: 1 }, 'provider outage')).then(planRequested(2));
  });

  it('fails the session when the failure is final', () => {
    given(started(), planRequested(1))
      .when(command.agentFailed({ kind: 'plan', attempt: 1 }, 'request refused', false))
      .then(sessionFailed('the planner gave no plan (attempt 1): request refused', noUsage));
  });

  it('fails the session once the plan attempts are spent', () => {
    given(started(), planRequested(1), planRequested(2), planRequested(3))
      .when(command.agentFailed({ kind: 'plan', attempt: 3 }, 'provider outage'))
      .then(sessionFailed('the planner gave no plan (attempt 3): provider outage', noUsage));
  });

  it('ignores a failure of an attempt that was already superseded', () => {
    given(started(), planRequested(1), planRequested(2)).when(command.agentFailed({ kind: 'plan', attempt: 1 }, 'late')).thenNothing();
  });

  it('refuses a failure of an attempt never requested', () => {
    given(started(), planRequested(1))
      .when(command.agentFailed({ kind: 'plan', attempt: 2 }, 'from nowhere'))
      .thenError('NotRequested', /plan attempt 2 was never requested/);
  });
});

describe('a reviewer run that gave no verdict', () => {
  it('fails the session, naming the round', () => {
    given(...awaitingFirstReview())
      .when(command.agentFailed({ kind: 'review', round: 1 }, 'verdict unreadable', false))
      .then(sessionFailed('the reviewer gave no verdict (round 1): verdict unreadable', usage(160, 35, 0.875)));
  });
});
