import type { EventEnvelope, NewEvent, ParkedCallEvent, ParkedToolCallCommand, ToolCallEvent } from '@agent-orchestrator/contracts';

type Parked = Extract<ParkedCallEvent, { type: 'ToolCallParked' }>['data'];

/**
 * One call's `toolcall-<runId>.<callId>` stream, as far as parking goes. `retrying`: an operator's
 * retry was recorded (by the event `retriedBy`) and its answer is not in yet. `version` is the
 * stream version of the event that made the state.
 */
export type ParkedCallState =
  | { readonly status: 'unanswered' }
  | { readonly status: 'parked'; readonly tenantId: string; readonly parked: Parked; readonly version: number }
  | { readonly status: 'retrying'; readonly tenantId: string; readonly parked: Parked; readonly version: number; readonly retriedBy: string }
  | { readonly status: 'answered' };

type CallEvent = EventEnvelope & (ParkedCallEvent | ToolCallEvent);

const callEventTypes: ReadonlySet<string> = new Set(['ToolCallParked', 'ToolCallRetried', 'ToolCallDiscarded', 'ToolCallCompleted', 'ToolCallFailed']);

export const initialParkedCallState = (): ParkedCallState => ({ status: 'unanswered' });

export function evolveParkedCall(state: ParkedCallState, envelope: EventEnvelope): ParkedCallState {
  // A PiiRedacted beside an answer says what was replaced in it; it changes nothing here.
  if (!callEventTypes.has(envelope.type)) return state;
  const event = envelope as CallEvent;
  switch (event.type) {
    case 'ToolCallParked':
      return { status: 'parked', tenantId: event.tenantId, parked: event.data, version: event.streamVersion };
    case 'ToolCallRetried':
      return state.status === 'parked' ? { ...state, status: 'retrying', version: event.streamVersion, retriedBy: event.eventId } : state;
    case 'ToolCallDiscarded':
    case 'ToolCallCompleted':
    case 'ToolCallFailed':
      return { status: 'answered' };
    default:
      return unreachable(event);
  }
}

/**
 * An operator's retry or discard of a parked call. Only a parked call of the command's tenant is
 * acted on; anything else (answered, already being retried, never parked, another tenant's)
 * decides nothing, and the caller reports the command as skipped. A retry only records itself:
 * running the call is the adapter's, once ToolCallRetried is stored.
 */
export function decideParkedCall(command: ParkedToolCallCommand, state: ParkedCallState): NewEvent[] {
  if (state.status !== 'parked' || state.tenantId !== command.metadata.tenantId) return [];
  const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = command.metadata;
  const { sessionId, runId, callId, tool } = state.parked;
  const operation = command.operationId === undefined ? {} : { operationId: command.operationId };
  const envelope = (index: number) => {
    const eventId = eventIds[index];
    if (eventId === undefined) throw new Error(`${command.type} carries too few event ids`);
    return { eventId, schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent };
  };
  switch (command.type) {
    case 'RetryParkedToolCall':
      return [{ ...envelope(0), type: 'ToolCallRetried', data: { sessionId, runId, callId, tool, ...operation } }];
    case 'DiscardParkedToolCall':
      return [
        { ...envelope(0), type: 'ToolCallDiscarded', data: { sessionId, runId, callId, tool, reason: command.reason, ...operation } },
        // The agent reads the failure's reason, so it is told the call was given up and why.
        { ...envelope(1), type: 'ToolCallFailed', data: { sessionId, runId, callId, tool, reason: `discarded by an operator: ${command.reason}`.slice(0, 4000) } },
      ];
    default:
      return unreachable(command);
  }
}

export const parkedCallDecider = { initialState: initialParkedCallState, evolve: evolveParkedCall, decide: decideParkedCall };

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
