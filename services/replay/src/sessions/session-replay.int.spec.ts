import type { RunCommand } from '@agent-orchestrator/agent-runtime/domain';
import { sessionStream, type EventEnvelope, type SessionCommand } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import pg from 'pg';
import { releaseDeciders, type Deciders } from './deciders.js';
import { startRecording, type RecordingPlatform, type SessionShape } from './recorded-sessions.behaviour.js';
import { replaySession, type SessionReplayReport } from './session-replayer.js';
import { SessionReplaySource } from './session-source.js';

/** 50 sessions: every shape, reworks and tool calls most, as production sees them. */
const count = 50;
const shapes: SessionShape[] = Array.from({ length: count }, (_, i): SessionShape => (['toolsAndRework', 'rework', 'toolsAndRework', 'approval', 'rework', 'plannerFails'] as const)[i % 6]!);

describe('replaying recorded sessions with the release deciders', () => {
  let platform: RecordingPlatform;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const recorded = new Map<string, SessionShape>();
  const forks: string[] = [];
  const logSize = async () => Number((await pool.query('SELECT count(*) AS n FROM event_store.events')).rows[0].n);

  beforeAll(async () => {
    platform = await startRecording('replay_sessions');
    pool = new pg.Pool({ connectionString: platform.dev.databaseUrl, max: 4 });
    store = await PostgresEventStore.open({ pool, schema: 'event_store' });
    // A few at a time: the scripted model is quick, the machine is shared.
    for (let i = 0; i < shapes.length; i += 10) {
      const batch = shapes.slice(i, i + 10);
      const ids = await Promise.all(batch.map((shape) => platform.record(shape)));
      ids.forEach((sessionId, j) => recorded.set(sessionId, batch[j]!));
    }
  }, 900_000);
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await platform?.stop();
  });

  it('finds every one of 50 sessions identical, asking no model and calling no tool', async () => {
    const before = await logSize();
    const reports: SessionReplayReport[] = [];
    for (const sessionId of recorded.keys()) reports.push(await replaySession(store, sessionId));

    const differing = reports.filter((report) => !report.identical);
    expect(differing.map((report) => ({ sessionId: report.sessionId, shape: recorded.get(report.sessionId), difference: report.difference }))).toEqual([]);
    expect(reports).toHaveLength(count);
    // Nothing was appended: a model asked would have left a ModelResponded, a tool called a ToolCallStarted.
    expect(await logSize()).toBe(before);
    // Every response and tool answer the runs had was served from the log.
    const modelResponses = Number((await pool.query(`SELECT count(*) AS n FROM event_store.events WHERE type = 'ModelResponded' AND stream_id LIKE ANY($1)`, [[...recorded.keys()].map((id) => `agentrun-${id}.%`)])).rows[0].n);
    expect(reports.reduce((sum, report) => sum + report.responsesServed, 0)).toBe(modelResponses);
    const toolAnswers = Number((await pool.query(`SELECT count(*) AS n FROM event_store.events WHERE type IN ('ToolCallCompleted', 'ToolCallFailed') AND stream_id LIKE ANY($1)`, [[...recorded.keys()].map((id) => `toolcall-${id}.%`)])).rows[0].n);
    expect(toolAnswers).toBeGreaterThan(0);
    expect(reports.reduce((sum, report) => sum + report.toolAnswersServed, 0)).toBe(toolAnswers);
    expect(new Set(reports.map((report) => recorded.get(report.sessionId)))).toEqual(new Set(['toolsAndRework', 'rework', 'approval', 'plannerFails']));
  });

  it('finds a fork identical: its copies of the original, SessionForked, and the runs it made with its overrides', async () => {
    const original = [...recorded].find(([, shape]) => shape === 'rework')![0];
    const log = await store.readStream(sessionStream(original));
    const review = log.find((event) => event.type === 'ReviewRequested')!;
    const fork = await platform.fork(original, review.streamVersion, { modelFixture: 'three-steps-rework-once' });
    forks.push(fork);
    const report = await replaySession(store, fork);
    expect(report).toMatchObject({ sessionId: fork, identical: true });
    expect(report.difference).toBeUndefined();
    expect((await store.readStream(sessionStream(fork))).map((event) => event.type)).toContain('SessionForked');
  });

  it('reports a changed session decider at the first event it decides otherwise', async () => {
    const sessionId = [...recorded].find(([, shape]) => shape === 'rework')![0];
    const log = await store.readStream(sessionStream(sessionId));
    const rework = log.find((event) => event.type === 'ReworkRequested')!;
    // A release that words the rework's reasons differently.
    const changed: Deciders = {
      ...releaseDeciders,
      session: {
        ...releaseDeciders.session,
        decide: (command: SessionCommand, state) =>
          releaseDeciders.session.decide(command, state).map((event) => (event.type === 'ReworkRequested' ? ({ ...event, data: { ...(event.data as object), reasons: ['reworded'] } } as typeof event) : event)),
      },
    };
    const report = await replaySession(store, sessionId, changed);
    expect(report).toMatchObject({ identical: false, difference: { streamId: sessionStream(sessionId), version: rework.streamVersion, eventType: 'ReworkRequested', reason: expect.stringContaining('data') } });
    expect(report.difference!.recorded).toMatchObject({ eventId: rework.eventId, data: rework.data });
    expect(report.difference!.replayed).toMatchObject({ eventId: rework.eventId, data: { ...(rework.data as object), reasons: ['reworded'] } });
  });

  it('reports a changed run decider at the first run event it decides otherwise, however late its session notices', async () => {
    const sessionId = [...recorded].find(([, shape]) => shape === 'toolsAndRework')![0];
    const paused = (await pool.query(`SELECT stream_id FROM event_store.events WHERE type = 'AgentRunPaused' AND stream_id LIKE $1 ORDER BY transaction_id, global_position LIMIT 1`, [`agentrun-${sessionId}.%`])).rows[0].stream_id as string;
    const runLog: EventEnvelope[] = await store.readStream(paused);
    const firstRequest = runLog.find((event) => event.type === 'ToolCallRequested')!;
    // A release that asks for tools under another agent's name.
    const changed: Deciders = {
      ...releaseDeciders,
      run: {
        ...releaseDeciders.run,
        decide: (command: RunCommand, state) =>
          releaseDeciders.run.decide(command, state).map((event) => (event.type === 'ToolCallRequested' ? ({ ...event, data: { ...(event.data as object), agent: 'Researcher' } } as typeof event) : event)),
      },
    };
    const report = await replaySession(store, sessionId, changed);
    expect(report).toMatchObject({ identical: false, difference: { streamId: paused, version: firstRequest.streamVersion, eventType: 'ToolCallRequested', reason: expect.stringContaining('data') } });
    expect(report.difference!.replayed!.data).toMatchObject({ agent: 'Researcher' });
    expect(report.difference!.recorded!.data).toMatchObject({ agent: 'Executor' });
  });

  describe('the session source of replay-sessions operations', () => {
    const scope = { kind: 'tenant', tenantId: 'demo' } as const;
    const context = { operationId: 'spec', scope };
    const source = () => new SessionReplaySource({ store, pool, readModelSchema: 'read_models' });

    it('matches the sessions the filter selects, in the tenant in scope, none of them repeating a side effect', async () => {
      const failed = [...recorded].filter(([, shape]) => shape === 'plannerFails').map(([id]) => id);
      const all = await source().match('replay-sessions', {}, scope);
      expect(all.map((item) => item.itemId).sort()).toEqual([...recorded.keys(), ...forks].sort());
      expect(all.every((item) => item.repeatsSideEffect === false && item.tenantId === 'demo' && item.source === 'session')).toBe(true);
      expect((await source().match('replay-sessions', { status: 'failed' }, scope)).map((item) => item.itemId).sort()).toEqual(failed.sort());
      const [one, two] = [...recorded.keys()];
      expect((await source().match('replay-sessions', { ids: [one!, two!] }, scope)).map((item) => item.itemId).sort()).toEqual([one, two].sort());
      expect(await source().match('replay-sessions', { until: '2000-01-01T00:00:00.000Z' }, scope)).toEqual([]);
      expect(await source().match('replay-sessions', { since: new Date(Date.now() + 3_600_000).toISOString() }, scope)).toEqual([]);
      expect(await source().match('replay-sessions', {}, { kind: 'tenant', tenantId: 'someone-else' })).toEqual([]);
      expect(await source().match('replay-sessions', { tenant: 'someone-else' }, { kind: 'platform' })).toEqual([]);
      expect(await source().match('redrive', {}, scope)).toEqual([]);
    });

    it('executes a replay: succeeded when identical, failed with the first difference in the detail otherwise', async () => {
      const sessionId = [...recorded].find(([, shape]) => shape === 'rework')![0];
      const [item] = await source().match('replay-sessions', { ids: [sessionId] }, scope);
      expect(await source().execute('replay-sessions', item!, context)).toMatchObject({ outcome: 'succeeded', detail: { identical: true } });

      const rework = (await store.readStream(sessionStream(sessionId))).find((event) => event.type === 'ReworkRequested')!;
      const changed: Deciders = {
        ...releaseDeciders,
        session: {
          ...releaseDeciders.session,
          decide: (command: SessionCommand, state) =>
            releaseDeciders.session.decide(command, state).map((event) => (event.type === 'ReworkRequested' ? ({ ...event, data: { ...event.data, stepIds: [] } }) : event)),
        },
      };
      const result = await new SessionReplaySource({ store, pool, readModelSchema: 'read_models', deciders: changed }).execute('replay-sessions', item!, context);
      expect(result).toMatchObject({
        outcome: 'failed',
        detail: { identical: false, streamId: sessionStream(sessionId), version: rework.streamVersion, eventType: 'ReworkRequested', recorded: { data: rework.data }, replayed: { data: { stepIds: [] } } },
      });
      expect(JSON.stringify(result.detail).length).toBeLessThanOrEqual(8000);
      expect(await source().execute('replay-sessions', item!, { operationId: 'spec', scope: { kind: 'tenant', tenantId: 'someone-else' } })).toMatchObject({ outcome: 'skipped' });
    });
  });
});
