import type { AgentRunEvent, AgentTask, EventEnvelope, Usage } from '@agent-orchestrator/contracts';
import type { RecordedResponse } from './recording-model.js';

type DataOf<Type extends AgentRunEvent['type']> = Extract<AgentRunEvent, { type: Type }>['data'];

/** Where a run stands, folded from its `agentrun-<id>` stream. */
export interface RunLog {
  /** The version of the stream's last event, or -1 for a run never started. */
  readonly version: number;
  readonly started?: DataOf<'AgentRunStarted'>;
  /** Every response recorded, in turn order. */
  readonly responses: readonly RecordedResponse[];
  /** The last pause, and how many responses the run had when it paused. */
  readonly pause?: DataOf<'AgentRunPaused'> & { readonly turnsBefore: number };
  readonly ended: boolean;
  readonly usage: Usage;
}

export const emptyRunLog: RunLog = { version: -1, responses: [], ended: false, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };

export function foldRunLog(events: readonly EventEnvelope[]): RunLog {
  let log = emptyRunLog;
  for (const event of events) log = evolveRunLog(log, event as EventEnvelope & AgentRunEvent);
  return log;
}

function evolveRunLog(log: RunLog, event: EventEnvelope & AgentRunEvent): RunLog {
  const next = { ...log, version: event.streamVersion };
  switch (event.type) {
    case 'AgentRunStarted':
      return { ...next, started: event.data };
    case 'ModelResponded': {
      const { turn, responseId, output, usage } = event.data;
      const response: RecordedResponse = { turn, ...(responseId === undefined ? {} : { responseId }), output, ...usage };
      return {
        ...next,
        responses: [...log.responses, response],
        usage: {
          inputTokens: log.usage.inputTokens + usage.inputTokens,
          outputTokens: log.usage.outputTokens + usage.outputTokens,
          costUsd: log.usage.costUsd + usage.costUsd,
        },
      };
    }
    case 'AgentRunPaused':
      return { ...next, pause: { ...event.data, turnsBefore: log.responses.length } };
    case 'ToolCallRequested':
      return next;
    case 'AgentRunCompleted':
    case 'AgentRunFailed':
      return { ...next, ended: true };
    default:
      return next;
  }
}

/** The label the scripted model picks a run's turns by: `attempt-<n>`, the step id, or `round-<n>`. */
export function runLabel(task: AgentTask): string {
  switch (task.kind) {
    case 'plan':
      return `attempt-${task.attempt}`;
    case 'step':
      return task.stepId;
    case 'review':
      return `round-${task.round}`;
  }
}
