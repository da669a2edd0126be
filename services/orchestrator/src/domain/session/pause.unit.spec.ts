import {
  after,
  awaitingFirstReview,
  command,
  event,
  executingParallelPlan,
  given,
  parallelPlan,
  planProposed,
  planRequested,
  planStep,
  reviewRequested,
  sessionFailed,
  sessionPaused,
  sessionResumed,
  started,
  stateAfter,
  stepCompleted,
  stepFailed,
  stepScheduled,
  usage,
} from './given-when-then.js';
import { sessionStatus } from './state.js';

const minutes = (n: number) => n * 60;
const policy = { stepTimeoutMs: 600_000, planTimeoutMs: 300_000, reviewTimeoutMs: 600_000 };
const planning = [started(), planRequested()];

describe('pausing a session while its tenant is suspended', () => {
  it('records the pause mid-plan, and the session reads paused', () => {
    given(...planning)
      .when(command.pause(2))
      .then(sessionPaused(2));
    expect(sessionStatus(stateAfter(...planning, sessionPaused(2)))).toBe('paused');
    expect(sessionStatus(stateAfter(...planning, sessionPaused(2), sessionResumed(3)))).toBe('running');
  });

  it('pauses a deleted tenant\'s session too, and records deletion over suspension', () => {
    given(...planning)
      .when(command.pause(4, 'tenant_deleted'))
      .then(sessionPaused(4, undefined, 'tenant_deleted'));
    given(...planning, sessionPaused(2))
      .when(command.pause(4, 'tenant_deleted'))
      .then(sessionPaused(4, undefined, 'tenant_deleted'));
  });

  it('is refused for a session that was never started or is another tenant\'s', () => {
    given().when(command.pause()).thenError('SessionNotFound', /never started/);
    given(...planning)
      .when({ ...command.pause(), metadata: { ...command.pause().metadata, tenantId: 'globex' } })
      .thenError('TenantMismatch', /does not belong to tenant globex/);
  });
});

describe('a paused session holds the work that follows what was already running', () => {
  it('records a plan that arrives, and schedules none of its steps', () => {
    given(...planning, sessionPaused())
      .when(command.recordPlan(parallelPlan()))
      .then(planProposed(...parallelPlan()));
  });

  it('holds the next planner attempt when one fails, and asks for it on resume', () => {
    const failed = 'the planner timed out';
    given(...planning, sessionPaused())
      .when(command.agentFailed({ kind: 'plan', attempt: 1 }, failed, true))
      .then(event('PlanRetryHeld', { attempt: 1, reason: failed }));
    given(...planning, sessionPaused(), event('PlanRetryHeld', { attempt: 1, reason: failed }))
      .when(command.resume())
      .then(sessionResumed(), planRequested(2));
  });

  it('still fails the session on a planner failure that allows no retry', () => {
    given(...planning, sessionPaused())
      .when(command.agentFailed({ kind: 'plan', attempt: 1 }, 'no such model', false))
      .then(sessionFailed('the planner gave no plan (attempt 1): no such model', usage(0, 0, 0)));
  });

  it('records a step that completes mid-step, and schedules nothing after it', () => {
    given(...executingParallelPlan(), stepCompleted('a'), sessionPaused())
      .when(command.stepCompleted('b', 1, usage(50, 10, 0.5)))
      .then(stepCompleted('b', 1, usage(50, 10, 0.5)));
  });

  it('records a step that fails, and retries it only on resume', () => {
    given(...executingParallelPlan(), sessionPaused())
      .when(command.stepFailed('a', 1, 'tool down'))
      .then(stepFailed('a', 1, 'tool down'));
    given(...executingParallelPlan(), sessionPaused(), stepFailed('a', 1, 'tool down'))
      .when(command.resume())
      .then(sessionResumed(), stepScheduled('a', 2));
  });

  it('asks for no review when the last step completes, and asks on resume', () => {
    const done = [started(), planRequested(), planProposed(planStep('a')), stepScheduled('a'), sessionPaused()];
    given(...done)
      .when(command.stepCompleted('a'))
      .then(stepCompleted('a'));
    given(...done, stepCompleted('a'))
      .when(command.resume())
      .then(sessionResumed(), reviewRequested(1));
  });

  it('records a review that asks for rework during the pause, and reschedules the steps on resume', () => {
    given(...awaitingFirstReview(), sessionPaused())
      .when(command.rework(1, ['c is wrong'], ['c']))
      .then(event('ReviewCompleted', { round: 1, verdict: 'rework', reasons: ['c is wrong'] }), event('ReworkRequested', { round: 1, reasons: ['c is wrong'], stepIds: ['c'] }));
    given(...awaitingFirstReview(), sessionPaused(), event('ReworkRequested', { round: 1, reasons: ['c is wrong'], stepIds: ['c'] }))
      .when(command.resume())
      .then(sessionResumed(), stepScheduled('c', 2));
  });

  it('completes a session whose review passes during the pause; it stays completed', () => {
    const result = { steps: ['a', 'b', 'c'].map((stepId) => ({ stepId, output: `${stepId} done` })) };
    given(...awaitingFirstReview(), sessionPaused())
      .when(command.pass(1))
      .then(event('ReviewCompleted', { round: 1, verdict: 'pass', reasons: [] }), event('SessionCompleted', { result, usage: usage(160, 35, 0.875) }));
    const completed = [...awaitingFirstReview(), sessionPaused(), event('SessionCompleted', { result, usage: usage(160, 35, 0.875) })];
    given(...completed).when(command.resume()).thenNothing();
    given(...completed).when(command.pause(5)).thenNothing();
  });

  it('resumes with nothing more when what was outstanding is still running', () => {
    given(...planning, sessionPaused()).when(command.resume()).then(sessionResumed());
    given(...executingParallelPlan(), sessionPaused()).when(command.resume()).then(sessionResumed());
    given(...awaitingFirstReview(), sessionPaused()).when(command.resume()).then(sessionResumed());
  });
});

describe('time while paused', () => {
  const running = [started(), planRequested(), planProposed(...parallelPlan()), stepScheduled('a'), stepScheduled('b'), sessionPaused(2, after(60))];

  it('fires no step, plan or review timeout while paused', () => {
    given(...running)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(600))))
      .thenNothing();
    given(started(), planRequested(), sessionPaused(2, after(60)))
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(600))))
      .thenNothing();
    given(...awaitingFirstReview(), sessionPaused(2, after(60)))
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(600))))
      .thenNothing();
  });

  it('counts what was outstanding from the resumption, not from its request', () => {
    const resumed = [...running, sessionResumed(3, after(minutes(60)))];
    given(...resumed)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(70) - 1)))
      .thenNothing();
    given(...resumed)
      .withPolicy(policy)
      .when(command.checkTimeouts(after(minutes(70))))
      .then(stepFailed('a', 1, 'no answer within 600s'), stepFailed('b', 1, 'no answer within 600s'), stepScheduled('a', 2), stepScheduled('b', 2));
  });

  it('leaves a passed deadline to the resumption, which fails the session instead of scheduling', () => {
    const deadline = after(minutes(30));
    const paused = [...executingParallelPlan({ deadline }), stepCompleted('a'), stepCompleted('b'), sessionPaused(2, after(60))];
    given(...paused)
      .when(command.checkTimeouts(after(minutes(45))))
      .thenNothing();
    given(...paused)
      .when(command.resume(3, after(minutes(45))))
      .then(
        sessionResumed(3, after(minutes(45))),
        event('BudgetExceeded', { budget: 'deadline', limit: deadline, used: after(minutes(45)) }),
        sessionFailed(`budget exceeded: deadline ${deadline} reached at ${after(minutes(45))}`, usage(200, 40, 0.5)),
      );
  });
});

describe('pausing and resuming are idempotent and ordered by the tenant status version', () => {
  it('changes nothing when the pause or resumption was already taken, or is older', () => {
    given(...planning, sessionPaused(2)).when(command.pause(2)).thenNothing();
    given(...planning, sessionPaused(2)).when(command.pause(4)).thenNothing();
    given(...planning, sessionPaused(2), sessionResumed(3)).when(command.pause(2)).thenNothing();
    given(...planning, sessionPaused(2), sessionResumed(3)).when(command.resume(3)).thenNothing();
    given(...planning, sessionPaused(4)).when(command.resume(3)).thenNothing();
  });

  it('resumes only a paused session', () => {
    given(...planning).when(command.resume(3)).thenNothing();
  });

  it('pauses again after a resumption when the tenant is suspended again', () => {
    given(...planning, sessionPaused(2), sessionResumed(3))
      .when(command.pause(5))
      .then(sessionPaused(5));
  });

  it('leaves an ended session as it ended', () => {
    const failed = [...planning, sessionFailed('gave up', usage(0, 0, 0))];
    given(...failed).when(command.pause()).thenNothing();
    given(...failed).when(command.resume()).thenNothing();
  });
});
