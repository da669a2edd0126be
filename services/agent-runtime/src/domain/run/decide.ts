import { agentRunEvents, type AgentRunEvent, type CommandMetadata, type NewEvent } from '@agent-orchestrator/contracts';
import type { RunCommand } from './commands.js';
import { RunError } from './errors.js';
import { evolve } from './evolve.js';
import { unreachable, type RunState } from './state.js';

type RunEventType = AgentRunEvent['type'];
type DataOf<Type extends RunEventType> = Extract<AgentRunEvent, { type: Type }>['data'];
export type DecidedRunEvent = NewEvent & AgentRunEvent;

const latestVersion = new Map<string, number>(agentRunEvents.map((definition) => [definition.type, definition.versions.length]));
/** The reason field of the catalog holds at most this many characters. */
const maxReasonLength = 4000;

/**
 * Decides what a run writes for one command: pure, with time and event ids from the command's
 * metadata. A start for a run already started decides nothing (another delivery of the request
 * started it); anything else on a run that has not started, or has ended, is refused.
 */
export function decide(command: RunCommand, state: RunState): DecidedRunEvent[] {
  const decision = new RunDecision(state, command.metadata);
  switch (command.type) {
    case 'StartRun': {
      if (state.phase !== 'absent') break;
      const { sessionId, task, agent, model, agentVersion } = command;
      decision.record('AgentRunStarted', { sessionId, task, agent, model, ...(agentVersion === undefined ? {} : { agentVersion }) });
      break;
    }
    case 'RecordResponse': {
      const run = running(state, command.type);
      const { response, model, costUsd } = command;
      const next = run.responses.length === 0 ? (run.pause?.turnsBefore ?? 0) : run.responses[run.responses.length - 1]!.turn + 1;
      if (response.turn !== next) throw new RunError('TurnOutOfOrder', `run ${run.runId} recorded turns up to ${next - 1}; a response for turn ${response.turn} is not the next`);
      const { turn, output, responseId, inputTokens, outputTokens } = response;
      decision.record('ModelResponded', {
        sessionId: run.started.sessionId,
        turn,
        model,
        output: output as DataOf<'ModelResponded'>['output'],
        usage: { inputTokens, outputTokens, costUsd },
        ...(responseId === undefined ? {} : { responseId }),
      });
      break;
    }
    case 'PauseRun': {
      const run = running(state, command.type);
      const { sessionId, agent } = run.started;
      const pendingCalls = command.pendingCalls.map(({ callId, tool, arguments: args }) => ({ callId, tool, arguments: args }));
      decision.record('AgentRunPaused', { sessionId, runState: command.runState, pendingCalls });
      for (const call of pendingCalls) decision.record('ToolCallRequested', { sessionId, runId: run.runId, agent, ...call });
      break;
    }
    case 'CompleteRun': {
      const run = running(state, command.type);
      const { sessionId, task } = run.started;
      decision.record('AgentRunCompleted', { sessionId, task, output: command.output ?? null, usage: run.usage });
      break;
    }
    case 'FailRun': {
      const run = running(state, command.type);
      const { sessionId, task } = run.started;
      decision.record('AgentRunFailed', { sessionId, task, reason: clip(command.reason), retryable: command.retryable, usage: run.usage });
      break;
    }
    default:
      unreachable(command);
  }
  return decision.events;
}

function running(state: RunState, what: RunCommand['type']): Extract<RunState, { phase: 'running' }> {
  switch (state.phase) {
    case 'absent':
      throw new RunError('RunNotStarted', `${what} for a run that never started`);
    case 'ended':
      throw new RunError('RunEnded', `${what} for run ${state.runId}, which has ${state.outcome}`);
    case 'running':
      return state;
    default:
      return unreachable(state);
  }
}

/** The events of one command, each folded into the state as it is recorded. */
class RunDecision {
  readonly events: DecidedRunEvent[] = [];

  constructor(
    private state: RunState,
    private readonly metadata: CommandMetadata,
  ) {}

  record<Type extends RunEventType>(type: Type, data: DataOf<Type>): void {
    const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = this.metadata;
    const eventId = eventIds[this.events.length];
    if (eventId === undefined) throw new Error(`the run decided more than the ${eventIds.length} event ids its command carries`);
    const event = { eventId, type, schemaVersion: latestVersion.get(type) ?? 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data } as DecidedRunEvent;
    this.events.push(event);
    this.state = evolve(this.state, event);
  }
}

const clip = (text: string): string => (text.length > maxReasonLength ? `${text.slice(0, maxReasonLength - 1)}…` : text);
