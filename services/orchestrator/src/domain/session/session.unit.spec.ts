import { decide } from './decide.js';
import {
  after,
  command,
  event,
  given,
  metadata,
  planProposed,
  planRequested,
  planStep,
  reviewRequested,
  sessionFailed,
  started,
  stateAfter,
  stepCompleted,
  stepScheduled,
  usage,
} from './given-when-then.js';
import { epochMillis } from './instant.js';
import { initialState, sessionStatus } from './state.js';

describe('starting a session', () => {
  it('records the start and asks the planner for a plan', () => {
    given()
      .when(command.start({ maxSteps: 5 }))
      .then(started({ maxSteps: 5 }), planRequested(1));
  });

  it('asks the planner the policy names', () => {
    given()
      .withPolicy({ planner: 'ChiefPlanner' })
      .when(command.start())
      .then(started(), event('PlanRequested', { planner: 'ChiefPlanner', attempt: 1 }));
  });

  it('stamps every event from the command metadata, using its event ids in order', () => {
    const start = command.start();
    const [first, second] = decide(start, initialState());
    expect(first).toEqual({
      eventId: start.metadata.eventIds[0],
      type: 'SessionStarted',
      schemaVersion: 3,
      tenantId: 'acme',
      correlationId: start.metadata.correlationId,
      causationId: 'cmd-1',
      actor: { kind: 'service', id: 'orchestrator' },
      occurredAt: start.metadata.now,
      traceparent: null,
      data: { goal: 'Summarise open invoices for Q3', context: {}, constraints: {}, agentVersions: { Planner: 3 }, toolVersions: {} },
    });
    expect(second).toMatchObject({ eventId: start.metadata.eventIds[1], type: 'PlanRequested', schemaVersion: 1 });
  });

  it('refuses a command that carries fewer event ids than it decides', () => {
    const start = { ...command.start(), metadata: { ...metadata(), eventIds: metadata().eventIds.slice(0, 1) } };
    expect(() => decide(start, initialState())).toThrow(expect.objectContaining({ code: 'InvalidCommand' }));
  });

  it('refuses to start a session twice', () => {
    given(started(), planRequested()).when(command.start()).thenError('SessionAlreadyStarted', /already started/);
  });

  it('fails at once when the deadline has already passed', () => {
    given()
      .when(command.start({ deadline: after(5) }, after(10)))
      .then(
        started({ deadline: after(5) }),
        event('BudgetExceeded', { budget: 'deadline', limit: after(5), used: after(10) }),
        sessionFailed(`budget exceeded: deadline ${after(5)} reached at ${after(10)}`, usage(0, 0, 0)),
      );
  });
});

describe('cancelling', () => {
  const running = [started(), planRequested(), planProposed(planStep('a')), stepScheduled('a'), stepCompleted('a', 1, usage(10, 5, 0.5))];

  it('cancels a running session with the usage so far', () => {
    given(...running)
      .when(command.cancel('client changed their mind'))
      .then(event('SessionCancelled', { reason: 'client changed their mind', usage: usage(10, 5, 0.5) }));
  });

  it('cancels while planning, without a reason', () => {
    given(started(), planRequested())
      .when(command.cancel())
      .then(event('SessionCancelled', { usage: usage(0, 0, 0) }));
  });

  it('refuses a session that was never started', () => {
    given().when(command.cancel()).thenError('SessionNotFound', /never started/);
  });
});

describe('an ended session', () => {
  const endings = [
    ['completed', event('SessionCompleted', { result: {}, usage: usage(0, 0, 0) })],
    ['failed', sessionFailed('step "a" failed and cannot be retried: no such invoice', usage(0, 0, 0))],
    ['cancelled', event('SessionCancelled', { usage: usage(0, 0, 0) })],
  ] as const;

  it.each(endings)('refuses every command once %s', (phase, ending) => {
    const history = [started(), planRequested(), planProposed(planStep('a')), stepScheduled('a'), ending];
    const commands = [
      command.start(),
      command.recordPlan([planStep('a')]),
      command.stepCompleted('a', 1),
      command.pass(1),
      command.checkTimeouts(after(3600)),
      command.cancel(),
    ];
    for (const sent of commands) given(...history).when(sent).thenError('SessionEnded', new RegExp(`has ${phase}`));
  });
});

describe('tenancy', () => {
  it("refuses a command from another tenant, whatever the session's phase", () => {
    const foreign = { ...command.cancel(), metadata: { ...metadata(), tenantId: 'globex' } };
    given(started(), planRequested()).when(foreign).thenError('TenantMismatch', /tenant globex/);
    given(started(), sessionFailed('gave up', usage(0, 0, 0)))
      .when(foreign)
      .thenError('TenantMismatch', /tenant globex/);
  });
});

describe('session status', () => {
  it('follows the phases: queued, running, then how it ended', () => {
    expect(sessionStatus(initialState())).toBeNull();
    expect(sessionStatus(stateAfter(started()))).toBe('queued');
    expect(sessionStatus(stateAfter(started(), planRequested()))).toBe('running');
    expect(sessionStatus(stateAfter(started(), planRequested(), planProposed(planStep('a')), stepScheduled('a')))).toBe('running');
    const planned = [started(), planRequested(), planProposed(planStep('a'))];
    const reviewing = stateAfter(...planned, stepScheduled('a'), stepCompleted('a'), reviewRequested());
    expect(reviewing.phase).toBe('reviewing');
    expect(sessionStatus(reviewing)).toBe('running');
    expect(sessionStatus(stateAfter(started(), sessionFailed('gave up', usage(0, 0, 0))))).toBe('failed');
    expect(sessionStatus(stateAfter(started(), event('SessionCancelled', { usage: usage(0, 0, 0) })))).toBe('cancelled');
  });
});

describe('reading time without a clock', () => {
  it.each(['2026-11-22T09:00:00.000Z', '2026-11-22T09:00:00Z', '2024-02-29T23:59:59.5Z', '1969-12-31T23:59:59.999999Z', '2000-03-01T00:00Z'])(
    'agrees with Date.parse on %s',
    (instant) => {
      expect(epochMillis(instant)).toBe(Date.parse(instant));
    },
  );

  it('refuses an instant with an offset', () => {
    expect(() => epochMillis('2026-11-22T09:00:00+02:00')).toThrow(expect.objectContaining({ code: 'InvalidCommand' }));
  });
});
