import { taskOf, toolAnswerIn, type ToolAnswer, type WorkRequest } from '@agent-orchestrator/agent-runtime/domain';
import { agentRunId, agentRunEvents, sessionEvents, sessionStream, toolCallStream, agentRunStream, type EventEnvelope } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';

const sessionTypes = new Set<string>(sessionEvents.map((definition) => definition.type));
const runTypes = new Set<string>(agentRunEvents.map((definition) => definition.type));
const workRequestTypes = new Set(['PlanRequested', 'StepScheduled', 'ReviewRequested']);

/**
 * Everything a session's replay reads, as the log holds it: the session's own events, each of its
 * agent runs' events, and the answer to each tool call the runs requested (which policy, a person
 * and the tool adapters produced: inputs here, served as recorded). Only the deciders' own event
 * types are kept: what redaction or another service wrote beside them is not theirs to decide.
 */
export interface SessionHistory {
  readonly sessionId: string;
  readonly session: readonly EventEnvelope[];
  /** By run id, in the order the session requested the runs. */
  readonly runs: ReadonlyMap<string, readonly EventEnvelope[]>;
  /** The first answer on each `toolcall-<runId>.<callId>` stream, by `<runId>/<callId>`. */
  readonly toolAnswers: ReadonlyMap<string, EventEnvelope>;
  /** For a fork: the original's session events it copied (up to the version its SessionForked names). */
  readonly forkedFrom?: readonly EventEnvelope[];
}

export const toolAnswerKey = (runId: string, callId: string): string => `${runId}/${callId}`;

/**
 * Reads one session's history: its runs are the ones its recorded requests for work name (a run
 * is started only for a request), and each run's tool calls name their answers' streams.
 */
export async function readSessionHistory(store: EventStore, sessionId: string): Promise<SessionHistory> {
  const sessionLog = await store.readStream(sessionStream(sessionId));
  const requests = sessionLog.filter((event) => workRequestTypes.has(event.type));
  const runIds = [...new Set(requests.map((request) => runIdOf(sessionId, request)))];
  // Read side by side: a session has a run per request and a stream per tool call.
  const runLogs = await Promise.all(runIds.map(async (runId) => [runId, (await store.readStream(agentRunStream(runId))).filter((event) => runTypes.has(event.type))] as const));
  const runs = new Map(runLogs.filter(([, events]) => events.length > 0));
  const calls = [...runs].flatMap(([runId, events]) => events.filter((event) => event.type === 'ToolCallRequested').map((event) => ({ runId, callId: (event.data as { callId: string }).callId })));
  const answers = await Promise.all(calls.map(async ({ runId, callId }) => [toolAnswerKey(runId, callId), toolAnswerIn(await store.readStream(toolCallStream(runId, callId)))] as const));
  const toolAnswers = new Map<string, EventEnvelope>(answers.filter((entry): entry is readonly [string, ToolAnswer] => entry[1] !== undefined));
  const forked = sessionLog.find((event) => event.type === 'SessionForked')?.data as { from: { sessionId: string; version: number } } | undefined;
  const forkedFrom = forked && (await store.readStream(sessionStream(forked.from.sessionId), { fromVersion: 0, maxCount: forked.from.version + 1 })).filter((event) => sessionTypes.has(event.type));
  return { sessionId, session: sessionLog.filter((event) => sessionTypes.has(event.type)), runs, toolAnswers, ...(forkedFrom ? { forkedFrom } : {}) };
}

/** The run a request for work names: the orchestrator asks and agent-runtime starts it under this id. */
const runIdOf = (sessionId: string, request: EventEnvelope): string => agentRunId(sessionId, taskOf(request as EventEnvelope & WorkRequest).task);
