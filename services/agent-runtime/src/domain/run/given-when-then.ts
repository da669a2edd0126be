import { eventCatalog, type AgentRunEvent, type AgentTask, type CommandMetadata, type Usage } from '@agent-orchestrator/contracts';
import type { RunCommand } from './commands.js';
import { maxEventsPerRunDecision } from './commands.js';
import { decide } from './decide.js';
import type { RunErrorCode } from './errors.js';
import { evolve } from './evolve.js';
import { initialState, type RecordedResponse, type RunState } from './state.js';

/**
 * Run decider specs read as: given these events in the run's stream, when the shell sends this
 * command, then these events are decided (or this error). `then` compares type and data, and
 * checks each decided event against the catalog and that it is stamped from the command's
 * metadata, its ids in order.
 */
export function given(...history: AgentRunEvent[]) {
  return {
    when(command: RunCommand) {
      const run = () => decide(command, stateAfter(...history));
      return {
        then(...expected: AgentRunEvent[]): void {
          const decided = run();
          expect(decided.map(typeAndData)).toEqual(expected.map(typeAndData));
          decided.forEach((event, index) => {
            expect(eventCatalog.validateNewEvent(event)).toEqual({ ok: true });
            expect(event).toMatchObject({ ...envelopeFrom(command.metadata), eventId: command.metadata.eventIds[index] });
          });
        },
        thenNothing(): void {
          expect(run()).toEqual([]);
        },
        thenError(code: RunErrorCode, message: RegExp): void {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          const { code: thrownCode, message: thrownMessage } = (thrown ?? {}) as { code?: unknown; message?: unknown };
          expect({ code: thrownCode, message: thrownMessage }).toEqual({ code, message: expect.stringMatching(message) });
        },
      };
    },
  };
}

export function stateAfter(...history: AgentRunEvent[]): RunState {
  return history.reduce(evolve, initialState());
}

const typeAndData = ({ type, data }: AgentRunEvent) => ({ type, data });
const envelopeFrom = ({ now, tenantId, correlationId, causationId, actor, traceparent }: CommandMetadata) => ({ occurredAt: now, tenantId, correlationId, causationId, actor, traceparent });

export const sessionId = '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c';
export const T0 = '2026-11-22T09:00:00.000Z';
export const stepTask: AgentTask = { kind: 'step', stepId: 's1', attempt: 1 };
export const stepRunId = `${sessionId}.step.s1.1`;
const runtime = { kind: 'service', id: 'agent-runtime' } as const;

export const metadata: CommandMetadata = {
  tenantId: 'acme',
  correlationId: sessionId,
  causationId: '9b1d7c3a-2f4e-4d5a-8c6b-7e8f9a0b1c2d',
  actor: runtime,
  traceparent: null,
  now: T0,
  eventIds: Array.from({ length: maxEventsPerRunDecision }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`),
};

type DataOf<Type extends AgentRunEvent['type']> = Extract<AgentRunEvent, { type: Type }>['data'];

/** A run event as the log holds it; only type and data matter to the decider. */
export function event<Type extends AgentRunEvent['type']>(type: Type, data: DataOf<Type>): AgentRunEvent {
  const { tenantId, correlationId, causationId, actor, traceparent } = metadata;
  return { eventId: '00000000-0000-4000-8000-ffffffffffff', type, schemaVersion: eventCatalog.latestVersion(type), tenantId, correlationId, causationId, actor, occurredAt: T0, traceparent, data } as AgentRunEvent;
}

export const usage = (inputTokens: number, outputTokens: number, costUsd: number): Usage => ({ inputTokens, outputTokens, costUsd });
export const runStarted = (task: AgentTask = stepTask) => event('AgentRunStarted', { sessionId, task, agent: 'Executor', model: 'scripted' });
export const response = (turn: number, output: unknown[] = [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `turn ${turn}` }] }]): RecordedResponse => ({
  turn,
  output,
  inputTokens: 100,
  outputTokens: 20,
});
export const modelResponded = (turn: number, costUsd = 0.1) => {
  const { output, inputTokens, outputTokens } = response(turn);
  return event('ModelResponded', { sessionId, turn, model: 'scripted', output: output as DataOf<'ModelResponded'>['output'], usage: usage(inputTokens, outputTokens, costUsd) });
};
export const echoCall = (callId: string, text = 'hello') => ({ callId, tool: 'echo', arguments: JSON.stringify({ text }) });
export const runPaused = (...calls: ReturnType<typeof echoCall>[]) => event('AgentRunPaused', { sessionId, runState: '{"saved":true}', pendingCalls: calls });
export const toolCallRequested = (call: ReturnType<typeof echoCall>) => event('ToolCallRequested', { sessionId, runId: stepRunId, agent: 'Executor', ...call });

/** Shorthands for the commands the shell sends. */
export const command = {
  start: (task: AgentTask = stepTask, agentVersion?: number): RunCommand => ({ type: 'StartRun', sessionId, task, agent: 'Executor', model: 'scripted', ...(agentVersion === undefined ? {} : { agentVersion }), metadata }),
  respond: (turn: number, costUsd = 0.1): RunCommand => ({ type: 'RecordResponse', response: response(turn), model: 'scripted', costUsd, metadata }),
  pause: (...calls: ReturnType<typeof echoCall>[]): RunCommand => ({ type: 'PauseRun', runState: '{"saved":true}', pendingCalls: calls, metadata }),
  complete: (output: unknown): RunCommand => ({ type: 'CompleteRun', output, metadata }),
  fail: (reason: string, retryable = false): RunCommand => ({ type: 'FailRun', reason, retryable, metadata }),
};
