import type { AgentTask, CommandMetadata } from '@agent-orchestrator/contracts';
import type { PendingCall, RecordedResponse } from './state.js';

/**
 * What the shell around a run tells the decider: a request for work to start on, what the model
 * answered, and where the agents SDK left the run (paused on tool calls with its serialised
 * state, finished with an output, or failed). The model's answer and the SDK's state are inputs,
 * like time and ids: recorded once, they replay without a model.
 */
export type RunCommand =
  | {
      readonly type: 'StartRun';
      readonly sessionId: string;
      readonly task: AgentTask;
      readonly agent: string;
      readonly agentVersion?: number;
      /** The model the run talks to, as the model source named it. */
      readonly model: string;
      readonly metadata: CommandMetadata;
    }
  | {
      readonly type: 'RecordResponse';
      readonly response: RecordedResponse;
      readonly model: string;
      /** The response's price, from the price table of the process that asked the model. */
      readonly costUsd: number;
      readonly metadata: CommandMetadata;
    }
  | { readonly type: 'PauseRun'; readonly runState: string; readonly pendingCalls: readonly PendingCall[]; readonly metadata: CommandMetadata }
  | { readonly type: 'CompleteRun'; readonly output: unknown; readonly metadata: CommandMetadata }
  | { readonly type: 'FailRun'; readonly reason: string; readonly retryable: boolean; readonly metadata: CommandMetadata };

/**
 * The seeds the ids of a run's events derive from (UUID v5 in the shell, which may draw on a
 * hash; the decider may not). The first event's id comes from the request it answers, so two
 * deliveries of one request start one run; every later event's from the event that caused the
 * decision and the position it takes in the stream, so a replay of the log derives every id again.
 */
export const runStartIdNamespace = '2a0c7d7e-93f4-4c0e-8a8e-5b1f0f6f3c11';
export const runStartIdSeed = (requestEventId: string): string => `${requestEventId}/started`;
export const runDecisionIdSeed = (causeEventId: string, firstVersion: number): string => `${causeEventId}@${firstVersion}`;
/** The most events one command decides: a pause and one request per pending call. */
export const maxEventsPerRunDecision = 21;

/** Who a run's events say wrote them. */
export const runtimeActor = { kind: 'service', id: 'agent-runtime' } as const;
