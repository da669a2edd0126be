import { firstTurnOf, resumption } from './resumption.js';
import {
  command,
  echoCall,
  event,
  given,
  modelResponded,
  runPaused,
  runStarted,
  sessionId,
  stateAfter,
  stepTask,
  toolCallRequested,
  usage,
} from './given-when-then.js';

describe('starting a run', () => {
  it('starts a run for a request for work, with the pinned agent version', () => {
    given().when(command.start(stepTask, 3)).then(event('AgentRunStarted', { sessionId, task: stepTask, agent: 'Executor', agentVersion: 3, model: 'scripted' }));
  });

  it('decides nothing when another delivery of the request started it', () => {
    given(runStarted()).when(command.start()).thenNothing();
  });

  it('refuses a response for a run never started', () => {
    given().when(command.respond(0)).thenError('RunNotStarted', /never started/);
  });
});

describe('after a model answer', () => {
  it('records the response with its usage priced', () => {
    given(runStarted()).when(command.respond(0, 0.25)).then(modelResponded(0, 0.25));
  });

  it('records turns in order: the next after the last recorded, or after the last pause', () => {
    given(runStarted(), modelResponded(0)).when(command.respond(2)).thenError('TurnOutOfOrder', /turns up to 0; a response for turn 2/);
    given(runStarted(), modelResponded(0), runPaused(echoCall('c1')), toolCallRequested(echoCall('c1'))).when(command.respond(1)).then(modelResponded(1));
  });

  it('pauses with the saved state and requests each pending call for the policy and the tools', () => {
    given(runStarted(), modelResponded(0))
      .when(command.pause(echoCall('c1', 'a'), echoCall('c2', 'b')))
      .then(runPaused(echoCall('c1', 'a'), echoCall('c2', 'b')), toolCallRequested(echoCall('c1', 'a')), toolCallRequested(echoCall('c2', 'b')));
  });

  it('completes with the output and the usage of every response, summed to the billionth of a dollar', () => {
    given(runStarted(), modelResponded(0, 0.1), modelResponded(1, 0.2))
      .when(command.complete('Open invoices: 12.'))
      .then(event('AgentRunCompleted', { sessionId, task: stepTask, output: 'Open invoices: 12.', usage: usage(200, 40, 0.3) }));
  });

  it('completes with null when the run had no output', () => {
    given(runStarted()).when(command.complete(undefined)).then(event('AgentRunCompleted', { sessionId, task: stepTask, output: null, usage: usage(0, 0, 0) }));
  });

  it('fails with the reason clipped to what the catalog holds', () => {
    given(runStarted(), modelResponded(0, 0.5))
      .when(command.fail('x'.repeat(5000), true))
      .then(event('AgentRunFailed', { sessionId, task: stepTask, reason: `${'x'.repeat(3999)}…`, retryable: true, usage: usage(100, 20, 0.5) }));
  });

  it('refuses anything once the run has ended', () => {
    const ended = [runStarted(), modelResponded(0), event('AgentRunCompleted', { sessionId, task: stepTask, output: 'done', usage: usage(100, 20, 0.1) })];
    given(...ended).when(command.respond(1)).thenError('RunEnded', /has completed/);
    given(...ended).when(command.fail('late')).thenError('RunEnded', /has completed/);
  });
});

describe('when a run goes on', () => {
  const paused = [runStarted(), modelResponded(0), runPaused(echoCall('c1'), echoCall('c2')), toolCallRequested(echoCall('c1')), toolCallRequested(echoCall('c2'))];

  it('waits while a call of its pause is unanswered and goes on with the last answer', () => {
    expect(resumption(stateAfter(...paused), (callId) => callId === 'c1')).toBe('waiting');
    expect(resumption(stateAfter(...paused), () => true)).toBe('go-on');
  });

  it('goes on asking its model from the turn after the pause', () => {
    expect(firstTurnOf(stateAfter(...paused))).toBe(1);
    expect(firstTurnOf(stateAfter(runStarted()))).toBe(0);
  });

  it('does not go on before it starts or after it ends', () => {
    expect(resumption(stateAfter(), () => true)).toBe('not-started');
    expect(resumption(stateAfter(runStarted(), event('AgentRunFailed', { sessionId, task: stepTask, reason: 'no', retryable: false, usage: usage(0, 0, 0) })), () => true)).toBe('ended');
  });
});
