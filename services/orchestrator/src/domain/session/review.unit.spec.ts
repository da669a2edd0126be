import type { SessionCommand, SessionEvent } from '@agent-orchestrator/contracts';
import {
  awaitingFirstReview,
  command,
  event,
  given,
  parallelPlan,
  planProposed,
  planRequested,
  reviewRequested,
  sessionFailed,
  started,
  stepCompleted,
  stepScheduled,
  usage,
} from './given-when-then.js';

/** Two independent lookups, then a summary that needs both. */
const plan = parallelPlan();
const allDone = awaitingFirstReview();

const reviewCompleted = (round: number, verdict: 'pass' | 'rework', reasons: string[] = []) =>
  event('ReviewCompleted', { round, verdict, reasons });
const reworkRequested = (round: number, reasons: string[], stepIds: string[]) => event('ReworkRequested', { round, reasons, stepIds });
const outputs = (...stepIds: string[]) => ({ steps: stepIds.map((stepId) => ({ stepId, output: `${stepId} done` })) });

describe('a passing review', () => {
  it('completes the session with every step output and the summed usage', () => {
    given(...allDone)
      .when(command.pass(1, ['complete and accurate']))
      .then(
        reviewCompleted(1, 'pass', ['complete and accurate']),
        event('SessionCompleted', { result: outputs('a', 'b', 'c'), usage: usage(160, 35, 0.875) }),
      );
  });
});

describe('rework', () => {
  it('redoes the named step and everything built on it, scheduling what is ready', () => {
    given(...allDone)
      .when(command.rework(1, ['the invoice list misses credit notes'], ['a']))
      .then(
        reviewCompleted(1, 'rework', ['the invoice list misses credit notes']),
        reworkRequested(1, ['the invoice list misses credit notes'], ['a', 'c']),
        stepScheduled('a', 2),
      );
  });

  it('redoes only a step nothing depends on', () => {
    given(...allDone)
      .when(command.rework(1, ['summary is too long'], ['c']))
      .then(reviewCompleted(1, 'rework', ['summary is too long']), reworkRequested(1, ['summary is too long'], ['c']), stepScheduled('c', 2));
  });

  it('redoes every step when the review names none', () => {
    given(...allDone)
      .when(command.rework(1, ['start over']))
      .then(
        reviewCompleted(1, 'rework', ['start over']),
        reworkRequested(1, ['start over'], ['a', 'b', 'c']),
        stepScheduled('a', 2),
        stepScheduled('b', 2),
      );
  });

  it('runs the loop once more after one rework: three steps, two in parallel, then a second review that passes', () => {
    const reason = ['the invoice list misses credit notes'];
    const history: SessionEvent[] = [];
    const step = (when: SessionCommand, ...then: SessionEvent[]) => {
      history.push(...given(...history).when(when).then(...then));
    };

    step(command.start(), started(), planRequested(1));
    step(command.recordPlan(plan), planProposed(...plan), stepScheduled('a'), stepScheduled('b'));
    step(command.stepCompleted('b', 1, usage(50, 10, 0.5)), stepCompleted('b', 1, usage(50, 10, 0.5)));
    step(command.stepCompleted('a', 1, usage(100, 20, 0.25)), stepCompleted('a', 1, usage(100, 20, 0.25)), stepScheduled('c'));
    step(command.stepCompleted('c', 1, usage(10, 5, 0.125)), stepCompleted('c', 1, usage(10, 5, 0.125)), reviewRequested(1));
    step(command.rework(1, reason, ['a']), reviewCompleted(1, 'rework', reason), reworkRequested(1, reason, ['a', 'c']), stepScheduled('a', 2));
    step(command.stepCompleted('a', 2, usage(100, 20, 0.25)), stepCompleted('a', 2, usage(100, 20, 0.25)), stepScheduled('c', 2));
    step(command.stepCompleted('c', 2, usage(10, 5, 0.125)), stepCompleted('c', 2, usage(10, 5, 0.125)), reviewRequested(2));
    step(
      command.pass(2),
      reviewCompleted(2, 'pass'),
      event('SessionCompleted', { result: outputs('a', 'b', 'c'), usage: usage(270, 60, 1.25) }),
    );
  });

  it('fails the session when a review asks for rework after maxReworks', () => {
    const reworkedOnce = [
      ...allDone,
      reviewCompleted(1, 'rework', ['too long']),
      reworkRequested(1, ['too long'], ['c']),
      stepScheduled('c', 2),
      stepCompleted('c', 2, usage(10, 5, 0.125)),
      reviewRequested(2),
    ];
    given(...reworkedOnce)
      .withPolicy({ maxReworks: 1 })
      .when(command.rework(2, ['still too long']))
      .then(
        reviewCompleted(2, 'rework', ['still too long']),
        sessionFailed('review round 2 asked for a rework beyond the 1 allowed: still too long', usage(170, 40, 1)),
      );
  });

  it('allows two reworks by default', () => {
    const reworkedTwice = [
      ...allDone,
      reworkRequested(1, ['too long'], ['c']),
      stepScheduled('c', 2),
      stepCompleted('c', 2),
      reviewRequested(2),
      reworkRequested(2, ['too long'], ['c']),
      stepScheduled('c', 3),
      stepCompleted('c', 3),
      reviewRequested(3),
    ];
    given(...reworkedTwice)
      .when(command.rework(3, ['too long']))
      .then(
        reviewCompleted(3, 'rework', ['too long']),
        sessionFailed('review round 3 asked for a rework beyond the 2 allowed: too long', usage(360, 75, 1.375)),
      );
  });

  it('refuses a rework naming a step the plan does not have', () => {
    given(...allDone)
      .when(command.rework(1, ['fix it'], ['a', 'ghost']))
      .thenError('InvalidReview', /ghost/);
  });
});

describe('review answers that are not current', () => {
  it('ignores a verdict for a round already answered', () => {
    given(...allDone, reviewCompleted(1, 'rework', ['too long']), reworkRequested(1, ['too long'], ['c']), stepScheduled('c', 2))
      .when(command.pass(1))
      .thenNothing();
  });

  it('refuses a verdict for a round never requested', () => {
    given(...allDone).when(command.pass(2)).thenError('NotRequested', /review round 2 was never requested; the latest is 1/);
  });

  it('refuses a verdict before any review was requested', () => {
    given(started(), planRequested()).when(command.pass(1)).thenError('NotRequested', /review round 1 was never requested/);
  });
});
