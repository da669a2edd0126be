import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentRunStream, sessionStream, toolCallStream, type EventEnvelope } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { stampedTraceparent } from '@agent-orchestrator/tracing';
import { pino } from 'pino';
import { pausedRunFixture } from '../../fixtures/paused-run.js';
import { defaultPriceTable } from '../model/pricing.js';
import { AgentRunner } from './agent-runner.js';
import { ScriptedModels } from './model-source.js';

const fixturesDir = join(import.meta.dirname, '../../fixtures');
type Stored = Omit<EventEnvelope, 'globalPosition'>;
interface PausedRun {
  readonly sdk: string;
  readonly session: Stored[];
  readonly paused: Stored[];
  readonly toolAnswer: Stored;
  readonly continuation: Stored[];
}

/**
 * A run paused by @openai/agents 0.20.0, captured once from the store: a newer SDK (or a change
 * to the runtime) must still resume the RunState it saved, or every run paused in production at
 * an upgrade is lost. Resumed with the recorded tool answer, it writes what it wrote then.
 */
describe('a run paused by the pinned @openai/agents, frozen', () => {
  const bytes = readFileSync(join(fixturesDir, pausedRunFixture.file));
  const fixture = JSON.parse(bytes.toString('utf8')) as PausedRun;
  let db: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestSchema('frozen_run_state');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  it('has not changed since it was captured', () => {
    const [digest, file] = readFileSync(join(fixturesDir, 'FROZEN.sha256'), 'utf8').trim().split(/\s+/);
    expect({ file, digest: createHash('sha256').update(bytes).digest('hex') }).toEqual({ file: pausedRunFixture.file, digest });
    expect(fixture.sdk).toBe('@openai/agents 0.20.0');
    expect(fixture.paused.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunPaused', 'ToolCallRequested']);
  });

  it('resumes from the stored RunState with the recorded tool answer and writes the recorded continuation', async () => {
    const { sessionId, answeredAt } = pausedRunFixture;
    const runId = `${sessionId}.step.s1.1`;
    const unstored = ({ streamId: _stream, streamVersion: _version, ...event }: Stored) => event;
    await store.append(sessionStream(sessionId), fixture.session.map(unstored));
    await store.append(agentRunStream(runId), fixture.paused.map(unstored));
    const { callId } = fixture.toolAnswer.data as { callId: string };
    await store.append(toolCallStream(runId, callId), [unstored(fixture.toolAnswer)]);

    const runner = new AgentRunner({ store, models: new ScriptedModels(), prices: defaultPriceTable, logger: pino({ level: 'silent' }), now: () => answeredAt });
    const [answer] = await store.readStream(toolCallStream(runId, callId));
    await runner.onToolAnswered(answer as Parameters<AgentRunner['onToolAnswered']>[0]);

    const continuation = (await store.readStream(agentRunStream(runId))).slice(fixture.paused.length).map(({ globalPosition: _position, ...event }) => event);
    expect(continuation.map((event) => event.type)).toEqual(['ModelResponded', 'AgentRunCompleted']);
    // Ids derive from the answer and the run's positions, time from the clock given: all of it as recorded.
    // The fixture was captured before the store stamped traceparents: it is compared as the store keeps it now (see stampedTraceparent).
    expect(continuation).toEqual(fixture.continuation.map((event) => ({ ...event, traceparent: stampedTraceparent(event) })));
  });

  it('waits, writing nothing, while the call has no answer', async () => {
    const sessionId = pausedRunFixture.sessionId.replace(/1$/, '2');
    const runId = `${sessionId}.step.s1.1`;
    const moved = (event: Stored) => {
      const { streamId: _stream, streamVersion: _version, ...rest } = JSON.parse(JSON.stringify(event).replaceAll(pausedRunFixture.sessionId, sessionId)) as Stored;
      return { ...rest, eventId: randomUUID() };
    };
    await store.append(sessionStream(sessionId), fixture.session.map(moved));
    await store.append(agentRunStream(runId), fixture.paused.map(moved));
    const runner = new AgentRunner({ store, models: new ScriptedModels(), prices: defaultPriceTable, logger: pino({ level: 'silent' }) });
    // An answer to another call of the run (never stored): the paused call still has none.
    const cause = { ...moved(fixture.toolAnswer), streamId: toolCallStream(runId, 'other'), streamVersion: 0, globalPosition: '' } as Parameters<AgentRunner['onToolAnswered']>[0];
    await runner.onToolAnswered(cause);
    expect(await store.readStream(agentRunStream(runId))).toHaveLength(fixture.paused.length);
  });
});
