import { sessionCommandSchema } from './session-commands.js';

const metadata = {
  now: '2026-11-22T09:00:10.000Z',
  eventIds: ['0b7c6a3e-5d1f-4c1e-9a1b-000000000001'],
  tenantId: 'acme',
  correlationId: '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c',
  causationId: 'cmd-7e1d',
  actor: { kind: 'user', id: 'u-ada' },
  traceparent: null,
};
const rework = (review: unknown) => ({ type: 'RecordReview', sessionId: 'abc', round: 1, review, metadata });

describe('session commands', () => {
  it('accepts a well-formed command of each kind', () => {
    const commands = [
      { type: 'StartSession', sessionId: 'abc', goal: 'Summarise', context: {}, constraints: {}, agentVersions: { Planner: 3 }, toolVersions: {}, metadata },
      {
        type: 'RecordPlan',
        sessionId: 'abc',
        attempt: 1,
        steps: [{ stepId: 's1', title: 'Look up', agent: 'Researcher', dependsOn: [] }],
        metadata,
      },
      {
        type: 'RecordStepResult',
        sessionId: 'abc',
        stepId: 's1',
        attempt: 1,
        result: { outcome: 'failed', reason: 'timed out', retryable: true },
        metadata,
      },
      rework({ verdict: 'rework', reasons: ['too long'], stepIds: ['s1'] }),
      { type: 'CheckTimeouts', sessionId: 'abc', metadata },
      { type: 'CancelSession', sessionId: 'abc', metadata },
    ];
    for (const command of commands) expect(sessionCommandSchema.safeParse(command)).toMatchObject({ success: true });
  });

  it('refuses a rework without a reason', () => {
    expect(sessionCommandSchema.safeParse(rework({ verdict: 'rework', reasons: [] })).success).toBe(false);
    expect(sessionCommandSchema.safeParse(rework({ verdict: 'pass', reasons: [] })).success).toBe(true);
  });

  it('refuses metadata with a local time, an event id that is not a uuid, or an unknown field', () => {
    const cancel = (overrides: object) => ({ type: 'CancelSession', sessionId: 'abc', metadata: { ...metadata, ...overrides } });
    expect(sessionCommandSchema.safeParse(cancel({ now: '2026-11-22T10:00:10+01:00' })).success).toBe(false);
    expect(sessionCommandSchema.safeParse(cancel({ eventIds: ['evt-1'] })).success).toBe(false);
    expect(sessionCommandSchema.safeParse(cancel({ priority: 'high' })).success).toBe(false);
  });

  it('refuses a session id that cannot be part of a stream name', () => {
    expect(sessionCommandSchema.safeParse({ type: 'CheckTimeouts', sessionId: 'a b', metadata }).success).toBe(false);
  });
});
