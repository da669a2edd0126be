import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { eventIdsFor } from '@agent-orchestrator/event-store';
import { releaseDeciders } from './deciders.js';
import { replaySessionStream } from './replay-session-stream.js';
import type { SessionHistory } from './session-history.js';

const sessionId = '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c';
const planRunId = `${sessionId}.plan.1`;
const orchestrator = { kind: 'service', id: 'orchestrator' } as const;
const user = { kind: 'user', id: 'u-ada' } as const;
const T0 = '2026-11-29T09:00:00.000Z';
const T1 = '2026-11-29T09:00:05.000Z';
const startIds = ['0b7c6a3e-5d1f-4c1e-9a1b-000000000001', '0b7c6a3e-5d1f-4c1e-9a1b-000000000002'];
const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0.01 };

let position = 0;
const stored = (streamId: string, streamVersion: number, event: Omit<EventEnvelope, 'streamId' | 'streamVersion' | 'globalPosition' | 'schemaVersion' | 'tenantId' | 'correlationId' | 'traceparent'> & { schemaVersion?: number }): EventEnvelope =>
  ({ schemaVersion: 1, tenantId: 'acme', correlationId: sessionId, traceparent: null, ...event, streamId, streamVersion, globalPosition: String(position++).padStart(6, '0') }) as EventEnvelope;

const started = [
  stored(`session-${sessionId}`, 0, { eventId: startIds[0]!, type: 'SessionStarted', schemaVersion: 3, causationId: null, actor: user, occurredAt: T0, data: { goal: 'Summarise', context: {}, constraints: {}, agentVersions: {}, toolVersions: {} } }),
  stored(`session-${sessionId}`, 1, { eventId: startIds[1]!, type: 'PlanRequested', causationId: null, actor: user, occurredAt: T0, data: { planner: 'Planner', attempt: 1 } }),
];
/** The planner answered with a plan whose step depends on itself: the orchestrator records a failed planner run and asks again. */
const outcome = stored(`agentrun-${planRunId}`, 2, {
  eventId: '0b7c6a3e-5d1f-4c1e-9a1b-0000000000a1',
  type: 'AgentRunCompleted',
  causationId: startIds[1]!,
  actor: { kind: 'service', id: 'agent-runtime' },
  occurredAt: T1,
  data: { sessionId, task: { kind: 'plan', attempt: 1 }, output: { steps: [{ stepId: 'a', title: 'Loop', agent: 'Executor', dependsOn: ['a'] }] }, usage },
});
const refusedIds = eventIdsFor(`${outcome.eventId}/plan-refused`, 2);
const refused = [
  stored(`session-${sessionId}`, 2, { eventId: refusedIds[0]!, type: 'UsageRecorded', causationId: outcome.eventId, actor: orchestrator, occurredAt: T1, data: { task: { kind: 'plan', attempt: 1 }, usage } }),
  stored(`session-${sessionId}`, 3, { eventId: refusedIds[1]!, type: 'PlanRequested', causationId: outcome.eventId, actor: orchestrator, occurredAt: T1, data: { planner: 'Planner', attempt: 2 } }),
];
const history = (session: EventEnvelope[]): SessionHistory => ({ sessionId, session, runs: new Map([[planRunId, [outcome]]]), toolAnswers: new Map() });

describe('replaying a session stream', () => {
  it('rebuilds each command from the log: a start from its events, an unrunnable plan as the failed planner run the orchestrator decides', () => {
    expect(replaySessionStream(history([...started, ...refused]), releaseDeciders)).toEqual({ decisions: 2 });
  });

  it('derives an outcome\'s event ids from the outcome, so ids the orchestrator did not derive differ', () => {
    const forged = refused.map((event, i) => ({ ...event, eventId: `0b7c6a3e-5d1f-4c1e-9a1b-00000000ff0${i}` }));
    expect(replaySessionStream(history([...started, ...forged]), releaseDeciders).difference).toMatchObject({ version: 2, eventType: 'UsageRecorded', reason: 'the replay decides otherwise: eventId differ' });
  });

  it('reports an event no recorded command or outcome explains', () => {
    const stray = stored(`session-${sessionId}`, 2, { eventId: '0b7c6a3e-5d1f-4c1e-9a1b-0000000000b1', type: 'SessionCompleted', causationId: 'someone', actor: orchestrator, occurredAt: T1, data: { result: { steps: [] }, usage } });
    expect(replaySessionStream(history([...started, stray]), releaseDeciders).difference).toMatchObject({ version: 2, eventType: 'SessionCompleted', reason: expect.stringContaining('no recorded command or outcome explains') });
  });

  it('reports a decision that recorded more than the replay decides', () => {
    const extra = stored(`session-${sessionId}`, 2, { ...started[1]!, eventId: '0b7c6a3e-5d1f-4c1e-9a1b-0000000000c1', data: { planner: 'Planner', attempt: 1 } });
    expect(replaySessionStream(history([...started, extra]), releaseDeciders).difference).toMatchObject({ version: 2, eventType: 'PlanRequested', reason: expect.stringContaining('no recorded command or outcome explains') });
  });
});
