import { agentRunId, type AgentRunEvent } from '@agent-orchestrator/contracts';
import { addUsage, noUsage, unreachable, type RunState } from './state.js';

/**
 * A run's state after one of its events. `version` counts the run's own events only: the stream
 * may also hold events the run did not decide (PiiRedacted beside what redaction changed), and
 * the ids of the run's events derive from positions a replay of its decisions can count again.
 */
export function evolve(state: RunState, event: AgentRunEvent): RunState {
  const version = state.version + 1;
  if (event.type === 'AgentRunStarted') {
    if (state.phase !== 'absent') return { ...state, version };
    return { phase: 'running', version, runId: agentRunId(event.data.sessionId, event.data.task), started: event.data, responses: [], usage: noUsage };
  }
  // A stream that does not begin with its start is not a run's; its events change nothing.
  if (state.phase === 'absent') return state;
  switch (event.type) {
    case 'ModelResponded': {
      const { turn, responseId, output, usage } = event.data;
      const response = { turn, ...(responseId === undefined ? {} : { responseId }), output, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
      return { ...state, version, responses: [...state.responses, response], usage: addUsage(state.usage, usage) };
    }
    case 'AgentRunPaused':
      if (state.phase === 'ended') return { ...state, version };
      return { ...state, version, pause: { ...event.data, turnsBefore: state.responses.length } };
    case 'ToolCallRequested':
      return { ...state, version };
    case 'AgentRunCompleted':
    case 'AgentRunFailed': {
      const { runId, started, responses, usage } = state;
      return { phase: 'ended', version, runId, started, responses, usage, outcome: event.type === 'AgentRunCompleted' ? 'completed' : 'failed' };
    }
    default:
      return unreachable(event);
  }
}
