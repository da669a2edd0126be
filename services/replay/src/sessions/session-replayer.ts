import type { EventStore } from '@agent-orchestrator/event-store';
import { releaseDeciders, type Deciders } from './deciders.js';
import type { ReplayDifference } from './difference.js';
import { replayRunStream } from './replay-run-stream.js';
import { replaySessionStream } from './replay-session-stream.js';
import { readSessionHistory, type SessionHistory } from './session-history.js';

export interface SessionReplayReport {
  readonly sessionId: string;
  readonly tenantId: string | null;
  /** Every decision of the session and its runs came out as recorded. */
  readonly identical: boolean;
  /** Decisions replayed: the session's and its runs'. */
  readonly decisions: number;
  readonly streams: number;
  /** Served from the log; a replay asks no model and calls no tool. */
  readonly responsesServed: number;
  readonly toolAnswersServed: number;
  /** The earliest difference in the log, when there is one. */
  readonly difference?: ReplayDifference;
}

/** Replays a history already read: the session's decisions, then each run's, and reports the earliest difference in the log. */
export function replayHistory(history: SessionHistory, deciders: Deciders = releaseDeciders): SessionReplayReport {
  const session = replaySessionStream(history, deciders);
  const runs = [...history.runs.keys()].map((runId) => replayRunStream(history, runId, deciders));
  const differences = [session.difference, ...runs.map((run) => run.difference)].filter((difference): difference is ReplayDifference => difference !== undefined);
  const difference = differences.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))[0];
  return {
    sessionId: history.sessionId,
    tenantId: history.session[0]?.tenantId ?? null,
    identical: difference === undefined && history.session.length > 0,
    decisions: session.decisions + runs.reduce((sum, run) => sum + run.decisions, 0),
    streams: 1 + runs.length,
    responsesServed: runs.reduce((sum, run) => sum + run.responsesServed, 0),
    toolAnswersServed: runs.reduce((sum, run) => sum + run.toolAnswersServed, 0),
    ...(difference ? { difference } : {}),
  };
}

/**
 * Replays one session from the log with this release's deciders (or the ones given), reading
 * only: nothing is appended, no model is asked, no tool called.
 */
export async function replaySession(store: EventStore, sessionId: string, deciders: Deciders = releaseDeciders): Promise<SessionReplayReport> {
  const history = await readSessionHistory(store, sessionId);
  if (history.session.length === 0) {
    return { sessionId, tenantId: null, identical: false, decisions: 0, streams: 0, responsesServed: 0, toolAnswersServed: 0, difference: { streamId: `session-${sessionId}`, version: 0, eventType: 'none', reason: 'the log has no such session', position: '' } };
  }
  return replayHistory(history, deciders);
}
