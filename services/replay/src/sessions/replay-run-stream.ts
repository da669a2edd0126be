import {
  maxEventsPerRunDecision,
  runDecisionIdSeed,
  runStartIdNamespace,
  runStartIdSeed,
  runtimeActor,
  taskOf,
  type RunCommand,
  type RunState,
  type WorkRequest,
} from '@agent-orchestrator/agent-runtime/domain';
import { agentRunId, agentRunStream, type AgentRunEvent, type CommandMetadata, type EventEnvelope } from '@agent-orchestrator/contracts';
import { eventIdsFor } from '@agent-orchestrator/event-store';
import { v5 as uuidV5 } from 'uuid';
import type { Deciders } from './deciders.js';
import { compareDecision, differenceAt, type ReplayDifference } from './difference.js';
import { toolAnswerKey, type SessionHistory } from './session-history.js';

export interface RunReplay {
  readonly difference?: ReplayDifference;
  readonly decisions: number;
  /** Model responses the replay was served from ModelResponded events: none was asked of a model. */
  readonly responsesServed: number;
  /** Tool answers the replay was served from `toolcall-*` streams: no tool was called. */
  readonly toolAnswersServed: number;
}

type DataOf<Type extends AgentRunEvent['type']> = Extract<AgentRunEvent, { type: Type }>['data'];

/**
 * Replays one agent run. The model's answers and where the agents SDK left the run (its saved
 * state, its output, why it failed) are inputs, served from the events that recorded them; the
 * run decider decides again what the run writes for each, on the replayed state, with each
 * decision's time and ids derived as agent-runtime derives them: its start from the request for
 * work on the session stream, every later event from its cause (that request, or the tool answer
 * that let the run go on) and its place in the run. A run that went on from a tool answer must go
 * on by the replayed decider too, with every call of its pause answered in the log.
 */
export function replayRunStream(history: SessionHistory, runId: string, deciders: Deciders): RunReplay {
  const streamId = agentRunStream(runId);
  const recorded = history.runs.get(runId) ?? [];
  const requests = new Map(history.session.map((event) => [event.eventId, event]));
  const answers = new Map([...history.toolAnswers.values()].map((event) => [event.eventId, event]));
  // The agent versions the session pinned, a fork's overrides over them, as agent-runtime's brief reads them.
  const pinned = (type: string) => history.session.find((event) => event.type === type)?.data as { agentVersions?: Record<string, number>; overrides?: { agentVersions?: Record<string, number> } } | undefined;
  const agentVersions: Record<string, number> = { ...pinned('SessionStarted')?.agentVersions, ...pinned('SessionForked')?.overrides?.agentVersions };

  let state: RunState = deciders.run.initialState();
  let decisions = 0;
  let responsesServed = 0;
  let toolAnswersServed = 0;
  const result = (difference?: ReplayDifference): RunReplay => ({ ...(difference ? { difference } : {}), decisions, responsesServed, toolAnswersServed });

  for (let at = 0; at < recorded.length; ) {
    const first = recorded[at]!;
    const causeId = first.causationId ?? '';
    const cause = requests.get(causeId) ?? answers.get(causeId);
    if (!cause) return result(differenceAt(streamId, first, undefined, `its cause ${causeId || '(none)'} is neither a request for work of the session nor a tool answer of its runs`));
    const metadata = (eventIds: readonly string[]): CommandMetadata => ({
      tenantId: cause.tenantId,
      correlationId: cause.correlationId,
      causationId: cause.eventId,
      actor: runtimeActor,
      traceparent: cause.traceparent,
      now: first.occurredAt,
      eventIds: [...eventIds],
    });
    if (answers.has(causeId)) {
      const answered = (callId: string) => history.toolAnswers.has(toolAnswerKey(runId, callId));
      const going = deciders.run.resumption(state, answered);
      if (going !== 'go-on') return result(differenceAt(streamId, first, undefined, `the run went on at a tool answer; the replayed decider says ${going}`));
      if (state.phase === 'running' && state.pause && at > 0 && recorded[at - 1]!.causationId !== causeId) toolAnswersServed += state.pause.pendingCalls.length;
    }

    let command: RunCommand;
    const data = first.data as DataOf<AgentRunEvent['type']>;
    switch (first.type) {
      case 'AgentRunStarted': {
        if (!requests.has(causeId)) return result(differenceAt(streamId, first, undefined, 'the run started on something other than a request for work'));
        const { task, agent } = taskOf(cause as EventEnvelope & WorkRequest);
        if (agentRunId(history.sessionId, task) !== runId) return result(differenceAt(streamId, first, undefined, `its request names run ${agentRunId(history.sessionId, task)}`));
        const agentVersion = agentVersions[agent];
        const { model } = data as DataOf<'AgentRunStarted'>;
        command = { type: 'StartRun', sessionId: history.sessionId, task, agent, model, ...(agentVersion === undefined ? {} : { agentVersion }), metadata: metadata([uuidV5(runStartIdSeed(cause.eventId), runStartIdNamespace)]) };
        break;
      }
      case 'ModelResponded': {
        const { turn, responseId, output, usage, model } = data as DataOf<'ModelResponded'>;
        const response = { turn, output, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, ...(responseId === undefined ? {} : { responseId }) };
        command = { type: 'RecordResponse', response, model, costUsd: usage.costUsd, metadata: metadata(idsAt(causeId, state)) };
        responsesServed += 1;
        break;
      }
      case 'AgentRunPaused': {
        const { runState, pendingCalls } = data as DataOf<'AgentRunPaused'>;
        command = { type: 'PauseRun', runState, pendingCalls, metadata: metadata(idsAt(causeId, state)) };
        break;
      }
      case 'AgentRunCompleted':
        command = { type: 'CompleteRun', output: (data as DataOf<'AgentRunCompleted'>).output, metadata: metadata(idsAt(causeId, state)) };
        break;
      case 'AgentRunFailed': {
        const { reason, retryable } = data as DataOf<'AgentRunFailed'>;
        command = { type: 'FailRun', reason, retryable, metadata: metadata(idsAt(causeId, state)) };
        break;
      }
      default:
        return result(differenceAt(streamId, first, undefined, `no command of the run decides a ${first.type} on its own; the replay expected it in the decision before`));
    }

    let decided: readonly AgentRunEvent[];
    try {
      decided = deciders.run.decide(command, state);
    } catch (refusal) {
      const { code, message } = refusal as { code?: string; message?: string };
      return result(differenceAt(streamId, first, undefined, `the replay refuses ${command.type} (${code ?? 'error'}): ${message}`));
    }
    if (decided.length === 0) return result(differenceAt(streamId, first, undefined, `the replay decides nothing for ${command.type}`));
    const difference = compareDecision(streamId, recorded, at, decided);
    if (difference) return result(difference);
    for (const event of decided) state = deciders.run.evolve(state, event);
    at += decided.length;
    decisions += 1;
  }
  return result();
}

/** The ids agent-runtime derives for a decision: from its cause and the place its first event takes in the run. */
const idsAt = (causeId: string, state: RunState): string[] => eventIdsFor(runDecisionIdSeed(causeId, state.version + 1), maxEventsPerRunDecision);
