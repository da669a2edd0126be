import type { SessionEvent } from '@agent-orchestrator/contracts';
import {
  command,
  event,
  given,
  planProposed,
  planRequested,
  planStep,
  reviewRequested,
  sessionFailed,
  sessionId,
  sessionPaused,
  started,
  stepCompleted,
  stepScheduled,
  usage,
} from './given-when-then.js';

/** The original's events as the log holds them: each with its own id, which its copy names as its cause. */
const logged = (...events: SessionEvent[]): SessionEvent[] =>
  events.map((original, version) => ({ ...original, eventId: `11111111-0000-4000-8000-${String(version).padStart(12, '0')}` }));

const demoPlan = [planStep('look-up', [], 'AccountManager'), planStep('upgrade', ['look-up'], 'AccountManager')];
const scheduled = (stepId: string) => event('StepScheduled', { stepId, agent: 'AccountManager', attempt: 1 });
const overrides = { modelFixture: 'demo-upgrade-customer-silver' };

describe('forking a session at a version', () => {
  it('copies the events up to the version, says it forked, and schedules again the step that was in flight', () => {
    const original = logged(started(), planRequested(1), planProposed(...demoPlan), scheduled('look-up'), stepCompleted('look-up'), scheduled('upgrade'));
    given()
      .forkedFrom(...original)
      .when(command.fork({ sessionId, version: 5 }, overrides))
      .then(...original, event('SessionForked', { from: { sessionId, version: 5 }, overrides }), scheduled('upgrade'));
  });

  it('asks again for the plan a fork cut before its answer, with the same attempt', () => {
    const original = logged(started(), planRequested(1));
    given()
      .forkedFrom(...original)
      .when(command.fork({ sessionId, version: 1 }))
      .then(...original, event('SessionForked', { from: { sessionId, version: 1 }, overrides: {} }), planRequested(1));
  });

  it('requests the first plan when the fork keeps only SessionStarted', () => {
    const original = logged(started());
    given()
      .forkedFrom(...original)
      .when(command.fork({ sessionId, version: 0 }))
      .then(...original, event('SessionForked', { from: { sessionId, version: 0 }, overrides: {} }), planRequested(1));
  });

  it('schedules the dependents of a completion the fork cut from them', () => {
    const original = logged(started(), planRequested(1), planProposed(...demoPlan), scheduled('look-up'), stepCompleted('look-up'));
    given()
      .forkedFrom(...original)
      .when(command.fork({ sessionId, version: 4 }))
      .then(...original, event('SessionForked', { from: { sessionId, version: 4 }, overrides: {} }), scheduled('upgrade'));
  });

  it('asks again for the review in flight', () => {
    const original = logged(started(), planRequested(1), planProposed(planStep('a')), stepScheduled('a'), stepCompleted('a'), reviewRequested(1));
    given()
      .forkedFrom(...original)
      .when(command.fork({ sessionId, version: 5 }))
      .then(...original, event('SessionForked', { from: { sessionId, version: 5 }, overrides: {} }), reviewRequested(1));
  });

  it('requests nothing while the copied session is paused: resuming does', () => {
    const original = logged(started(), planRequested(1), planProposed(planStep('a')), sessionPaused(2));
    given()
      .forkedFrom(...original)
      .when(command.fork({ sessionId, version: 3 }))
      .then(...original, event('SessionForked', { from: { sessionId, version: 3 }, overrides: {} }));
  });

  it('refuses a version at or after the original ended', () => {
    const original = logged(started(), planRequested(1), sessionFailed('the planner gave no plan', usage(0, 0, 0)));
    given()
      .forkedFrom(...original)
      .when(command.fork({ sessionId, version: 2 }))
      .thenError('InvalidCommand', /had failed by version 2/);
  });

  it('refuses when the events read do not start the session', () => {
    given()
      .forkedFrom(...logged(planRequested(1)))
      .when(command.fork({ sessionId, version: 4 }))
      .thenError('InvalidCommand', /starting with SessionStarted; read: PlanRequested/);
  });

  it('refuses to copy another tenant\'s session', () => {
    const theirs = logged({ ...started(), tenantId: 'globex' } as SessionEvent);
    given()
      .forkedFrom(...theirs)
      .when(command.fork({ sessionId, version: 0 }))
      .thenError('TenantMismatch', /does not belong to tenant acme/);
  });

  it('is a start: a fork delivered again finds its session started', () => {
    given(started(), planRequested(1))
      .forkedFrom(...logged(started()))
      .when(command.fork({ sessionId, version: 0 }))
      .thenError('SessionAlreadyStarted', /has already started/);
  });
});
