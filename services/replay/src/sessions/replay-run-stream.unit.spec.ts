import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { releaseDeciders, type Deciders } from './deciders.js';
import { replayRunStream } from './replay-run-stream.js';
import { toolAnswerKey, type SessionHistory } from './session-history.js';

/** The run agent-runtime froze: paused by @openai/agents 0.20.0 on an echo call, answered, completed. */
const frozen = JSON.parse(readFileSync(join(import.meta.dirname, '../../../agent-runtime/fixtures/AgentRunPaused.openai-agents-0.20.0.json'), 'utf8')) as {
  session: EventEnvelope[];
  paused: EventEnvelope[];
  toolAnswer: EventEnvelope;
  continuation: EventEnvelope[];
};
const at = (events: EventEnvelope[]) => events.map((event, i) => ({ ...event, globalPosition: `${String(i).padStart(4, '0')}` }));
const runId = frozen.paused[0]!.streamId.replace(/^agentrun-/, '');
const { callId } = frozen.toolAnswer.data as { callId: string };

function history(overrides: Partial<SessionHistory> = {}): SessionHistory {
  return {
    sessionId: frozen.session[0]!.correlationId,
    session: at(frozen.session),
    runs: new Map([[runId, at([...frozen.paused, ...frozen.continuation])]]),
    toolAnswers: new Map([[toolAnswerKey(runId, callId), frozen.toolAnswer]]),
    ...overrides,
  };
}

describe('replaying a recorded run', () => {
  it('decides every event as recorded, ids and times included, serving the responses and the answer from the log', () => {
    expect(replayRunStream(history(), runId, releaseDeciders)).toEqual({ decisions: 5, responsesServed: 2, toolAnswersServed: 1 });
  });

  it('reports a run that went on at an answer the log does not hold', () => {
    const { difference } = replayRunStream(history({ toolAnswers: new Map() }), runId, releaseDeciders);
    expect(difference).toMatchObject({ version: frozen.continuation[0]!.streamVersion, eventType: 'ModelResponded', reason: expect.stringContaining('neither a request for work') });
  });

  it('reports a run whose replayed decider would still wait at the answer that resumed it', () => {
    const waiting: Deciders = { ...releaseDeciders, run: { ...releaseDeciders.run, resumption: () => 'waiting' } };
    const { difference } = replayRunStream(history(), runId, waiting);
    expect(difference).toMatchObject({ version: frozen.continuation[0]!.streamVersion, eventType: 'ModelResponded', reason: 'the run went on at a tool answer; the replayed decider says waiting' });
  });

  it('reports a decider that prices usage otherwise at the run end, with both versions of the event', () => {
    const changed: Deciders = {
      ...releaseDeciders,
      run: {
        ...releaseDeciders.run,
        decide: (command, state) =>
          releaseDeciders.run.decide(command, state).map((event) => (event.type === 'AgentRunCompleted' ? { ...event, data: { ...event.data, usage: { ...event.data.usage, costUsd: 1 } } } : event)),
      },
    };
    const end = frozen.continuation.at(-1)!;
    const { difference } = replayRunStream(history(), runId, changed);
    expect(difference).toMatchObject({ streamId: end.streamId, version: end.streamVersion, eventType: 'AgentRunCompleted', reason: 'the replay decides otherwise: data differ' });
    expect(difference!.recorded!.data).toEqual(end.data);
    expect(difference!.replayed!.data).toMatchObject({ usage: { costUsd: 1 } });
  });

  it('reports an event the log has and the replay does not decide', () => {
    const extra = { ...frozen.continuation.at(-1)!, eventId: '5d0f7b8e-0c1a-4e52-9f0e-0000000000ff', streamVersion: frozen.continuation.at(-1)!.streamVersion + 1 };
    const { difference } = replayRunStream(history({ runs: new Map([[runId, at([...frozen.paused, ...frozen.continuation, extra])]]) }), runId, releaseDeciders);
    expect(difference).toMatchObject({ version: extra.streamVersion, eventType: 'AgentRunCompleted', reason: 'the run went on at a tool answer; the replayed decider says ended' });
  });
});
