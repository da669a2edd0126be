import { taskOf, type WorkRequest } from '@agent-orchestrator/agent-runtime/domain';
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
}

export const toolAnswerKey = (runId: string, callId: string): string => `${runId}/${callId}`;

/**
 * Reads one session's history. Its runs are found from the recorded runs' starts, whose cause is a
 * request for work on the session stream, so a run the replayed session would not have requested
 * still shows as a difference rather than going unread.
 */
export async function readSessionHistory(store: EventStore, sessionId: string): Promise<SessionHistory> {
  const sessionLog = await store.readStream(sessionStream(sessionId));
  const requests = sessionLog.filter((event) => workRequestTypes.has(event.type));
  const runs = new Map<string, EventEnvelope[]>();
  const toolAnswers = new Map<string, EventEnvelope>();
  for (const request of requests) {
    const runId = runIdOf(sessionId, request);
    if (runs.has(runId)) continue;
    const events = (await store.readStream(agentRunStream(runId))).filter((event) => runTypes.has(event.type));
    if (events.length === 0) continue;
    runs.set(runId, events);
    for (const event of events) {
      if (event.type !== 'ToolCallRequested') continue;
      const { callId } = event.data as { callId: string };
      const [answer] = await store.readStream(toolCallStream(runId, callId), { maxCount: 1 });
      if (answer) toolAnswers.set(toolAnswerKey(runId, callId), answer);
    }
  }
  return { sessionId, session: sessionLog.filter((event) => sessionTypes.has(event.type)), runs, toolAnswers };
}

/** The run a request for work names: the orchestrator asks and agent-runtime starts it under this id. */
const runIdOf = (sessionId: string, request: EventEnvelope): string => agentRunId(sessionId, taskOf(request as EventEnvelope & WorkRequest).task);
